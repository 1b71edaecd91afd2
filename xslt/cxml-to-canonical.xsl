<?xml version="1.0" encoding="UTF-8"?>
<!--
  cxml-to-canonical.xsl: cXML OrderRequest -> canonical order (docs/canonical.md).

  The map copies values as the partner wrote them. It only trims surrounding
  whitespace of identifiers, codes, numbers and dates, and collapses the
  whitespace of names and free text. It never reformats dates or numbers:
  the engine (src/canon.c) normalises them afterwards and adds
  source/@documentID, source/@received, line amount, summary, warning and
  decision.

  Parameter
    formatVersion  cXML version taken by the engine from the DOCTYPE system
                   identifier (XSLT cannot see it). Empty: fall back to
                   /cXML/@version; if that is absent too, the attribute is
                   left out.

  Money/@currency of Shipping, Tax, Distribution/Charge and a payment
  amount goes to the amount's @currency (the engine refuses another
  currency than the order's, as for UnitPrice).

  Stops (xsl:message terminate="yes") when the document is not an
  OrderRequest, when OrderRequestHeader has no BillTo (the DTD requires
  one) and on a line priced per more than one unit (a
  PriceBasisQuantity other than quantity 1, conversionFactor 1).

  Not mapped (no place in the canonical order): Attachment elements of
  Comments, PaymentTerm with a Discount or more than one PaymentTerm,
  LegalEntity, OrganizationalUnit, Followup, ControlKeys, IdReference,
  Modifications, ScheduleLine, Contact at line level, the alternate amounts
  of Money, Phone/@name, Email/@name.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
  <xsl:strip-space elements="*"/>
  <!-- opaque content: keep every character -->
  <xsl:preserve-space elements="SupplierPartAuxiliaryID"/>

  <xsl:param name="formatVersion" select="''"/>
  <!-- lines before this document's first ItemOut: set when a large order is
       mapped in chunks of lines (docs/performance.md, "Large orders") -->
  <xsl:param name="lineOffset" select="0"/>

  <xsl:variable name="ws" select="'&#9;&#10;&#13; '"/>

  <!-- ================================================================ -->
  <!-- entry point                                                      -->
  <!-- ================================================================ -->

  <xsl:template match="/">
    <xsl:variable name="root" select="*[1]"/>
    <xsl:variable name="rootName">
      <xsl:if test="namespace-uri($root) != ''">
        <xsl:value-of select="concat('{', namespace-uri($root), '}')"/>
      </xsl:if>
      <xsl:value-of select="local-name($root)"/>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="count(cXML/Request/OrderRequest) = 1">
        <xsl:apply-templates select="cXML/Request/OrderRequest"/>
      </xsl:when>
      <xsl:when test="cXML">
        <xsl:variable name="payload"
                      select="cXML/Request/* | cXML/Message/*[not(self::Status)] | cXML/Response"/>
        <xsl:message terminate="yes">
          <xsl:text>not a cXML OrderRequest: root is cXML, carrying </xsl:text>
          <xsl:choose>
            <xsl:when test="$payload">
              <xsl:value-of select="local-name($payload[1])"/>
            </xsl:when>
            <xsl:otherwise>no request</xsl:otherwise>
          </xsl:choose>
        </xsl:message>
      </xsl:when>
      <xsl:otherwise>
        <xsl:message terminate="yes">
          <xsl:value-of select="concat('not a cXML OrderRequest: root is ', $rootName)"/>
        </xsl:message>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- ================================================================ -->
  <!-- order                                                            -->
  <!-- ================================================================ -->

  <xsl:template match="OrderRequest">
    <xsl:variable name="cxml" select="/cXML"/>
    <xsl:variable name="hdr" select="OrderRequestHeader"/>
    <xsl:variable name="discountExt"
                  select="$hdr/Extrinsic[@name = 'discount' and not(*)
                          and string(number(normalize-space(.))) != 'NaN'][1]"/>
    <xsl:variable name="discountDesc"
                  select="$hdr/Extrinsic[@name = 'discountDescription' and not(*)][1]"/>
    <xsl:variable name="termsExt"
                  select="$hdr/Extrinsic[@name = 'paymentTerms' and not(*)][1]"/>
    <xsl:variable name="header" select="$cxml/Header"/>

    <!-- the DTD requires BillTo; without it the order cannot be answered
         or forwarded as cXML, and the fault is the sender's -->
    <xsl:if test="not($hdr/BillTo)">
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('cXML OrderRequest: OrderRequestHeader of order ',
                                     normalize-space($hdr/@orderID), ' has no BillTo (the address',
                                     ' the invoice goes to), which the cXML DTD requires: ask the',
                                     ' sender to add a BillTo with its Address and send the order again')"/>
      </xsl:message>
    </xsl:if>

    <order version="1">

      <!-- source -->
      <source format="cxml">
        <xsl:choose>
          <xsl:when test="normalize-space($formatVersion) != ''">
            <xsl:attribute name="formatVersion">
              <xsl:value-of select="normalize-space($formatVersion)"/>
            </xsl:attribute>
          </xsl:when>
          <xsl:when test="$cxml/@version">
            <xsl:attribute name="formatVersion">
              <xsl:value-of select="normalize-space($cxml/@version)"/>
            </xsl:attribute>
          </xsl:when>
        </xsl:choose>
        <xsl:attribute name="documentType">OrderRequest</xsl:attribute>
        <xsl:attribute name="payloadID">
          <xsl:call-template name="trim">
            <xsl:with-param name="s" select="$cxml/@payloadID"/>
          </xsl:call-template>
        </xsl:attribute>
        <xsl:if test="$cxml/@timestamp">
          <xsl:attribute name="timestamp">
            <xsl:value-of select="normalize-space($cxml/@timestamp)"/>
          </xsl:attribute>
        </xsl:if>
        <xsl:attribute name="mode">
          <xsl:choose>
            <xsl:when test="normalize-space(../@deploymentMode) != ''">
              <xsl:value-of select="normalize-space(../@deploymentMode)"/>
            </xsl:when>
            <xsl:otherwise>production</xsl:otherwise>
          </xsl:choose>
        </xsl:attribute>
      </source>

      <!-- sender / from / to -->
      <xsl:variable name="sc" select="$header/Sender/Credential[1]"/>
      <sender>
        <xsl:call-template name="credential-attrs">
          <xsl:with-param name="c" select="$sc"/>
        </xsl:call-template>
        <xsl:if test="normalize-space($header/Sender/UserAgent) != ''">
          <xsl:attribute name="userAgent">
            <xsl:value-of select="normalize-space($header/Sender/UserAgent)"/>
          </xsl:attribute>
        </xsl:if>
      </sender>
      <from>
        <xsl:call-template name="credential-attrs">
          <xsl:with-param name="c"
              select="($header/From/Credential[not(@type = 'marketplace')] | $header/From/Credential[1][not(../Credential[not(@type = 'marketplace')])])[1]"/>
        </xsl:call-template>
      </from>
      <to>
        <xsl:call-template name="credential-attrs">
          <xsl:with-param name="c" select="$header/To/Credential[1]"/>
        </xsl:call-template>
      </to>

      <orderID>
        <xsl:call-template name="trim">
          <xsl:with-param name="s" select="$hdr/@orderID"/>
        </xsl:call-template>
      </orderID>
      <orderDate><xsl:value-of select="normalize-space($hdr/@orderDate)"/></orderDate>
      <type>
        <xsl:call-template name="or-default">
          <xsl:with-param name="v" select="$hdr/@type"/>
          <xsl:with-param name="d" select="'new'"/>
        </xsl:call-template>
      </type>
      <orderType>
        <xsl:call-template name="or-default">
          <xsl:with-param name="v" select="$hdr/@orderType"/>
          <xsl:with-param name="d" select="'regular'"/>
        </xsl:call-template>
      </orderType>
      <xsl:if test="normalize-space($hdr/@orderVersion) != ''">
        <orderVersion><xsl:value-of select="normalize-space($hdr/@orderVersion)"/></orderVersion>
      </xsl:if>
      <xsl:if test="normalize-space($hdr/DocumentReference/@payloadID) != ''">
        <previousPayloadID>
          <xsl:call-template name="trim">
            <xsl:with-param name="s" select="$hdr/DocumentReference/@payloadID"/>
          </xsl:call-template>
        </previousPayloadID>
      </xsl:if>
      <xsl:if test="normalize-space($hdr/@requisitionID) != ''">
        <requisitionID>
          <xsl:call-template name="trim">
            <xsl:with-param name="s" select="$hdr/@requisitionID"/>
          </xsl:call-template>
        </requisitionID>
      </xsl:if>
      <xsl:if test="normalize-space($hdr/@requestedDeliveryDate) != ''">
        <requestedDeliveryDate>
          <xsl:value-of select="normalize-space($hdr/@requestedDeliveryDate)"/>
        </requestedDeliveryDate>
      </xsl:if>
      <currency><xsl:value-of select="normalize-space($hdr/Total/Money/@currency)"/></currency>
      <xsl:if test="$hdr/Total/Money">
        <total><xsl:value-of select="normalize-space($hdr/Total/Money)"/></total>
      </xsl:if>
      <xsl:apply-templates select="$hdr/Shipping[1]" mode="charge"/>
      <xsl:apply-templates select="$hdr/Tax[1]" mode="charge"/>
      <!-- ordergate convention: cXML has no header discount element, so a
           numeric Extrinsic name="discount" (what canonical-to-cxml-order
           writes) is read back as the discount -->
      <xsl:if test="$discountExt">
        <discount>
          <amount><xsl:value-of select="normalize-space($discountExt)"/></amount>
          <xsl:if test="normalize-space($discountDesc) != ''">
            <description><xsl:value-of select="normalize-space($discountDesc)"/></description>
          </xsl:if>
        </discount>
      </xsl:if>

      <!-- parties -->
      <parties>
        <xsl:for-each select="$hdr/ShipTo">
          <xsl:call-template name="party">
            <xsl:with-param name="addr" select="Address"/>
            <xsl:with-param name="role" select="'shipTo'"/>
          </xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="$hdr/BillTo">
          <xsl:call-template name="party">
            <xsl:with-param name="addr" select="Address"/>
            <xsl:with-param name="role" select="'billTo'"/>
          </xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="$hdr/BusinessPartner[normalize-space(@role) != '']">
          <xsl:call-template name="party">
            <xsl:with-param name="addr" select="Address"/>
            <xsl:with-param name="role" select="normalize-space(@role)"/>
          </xsl:call-template>
        </xsl:for-each>
      </parties>

      <!-- payment -->
      <xsl:apply-templates select="$hdr/Payment[1]"/>

      <!-- payment terms: a single plain net term, else the ordergate
           convention Extrinsic name="paymentTerms" -->
      <xsl:choose>
        <xsl:when test="count($hdr/PaymentTerm) = 1 and not($hdr/PaymentTerm/Discount)
                        and normalize-space($hdr/PaymentTerm/@payInNumberOfDays) != ''">
          <paymentTerms>
            <xsl:value-of select="concat('net ', normalize-space($hdr/PaymentTerm/@payInNumberOfDays))"/>
          </paymentTerms>
        </xsl:when>
        <xsl:when test="$termsExt">
          <paymentTerms><xsl:value-of select="$termsExt"/></paymentTerms>
        </xsl:when>
      </xsl:choose>

      <contacts>
        <xsl:apply-templates select="$hdr/Contact"/>
      </contacts>

      <comments>
        <xsl:apply-templates select="$hdr/Comments"/>
      </comments>

      <extrinsics>
        <xsl:apply-templates select="$hdr/Extrinsic[generate-id() != generate-id($discountExt)
                                                    and generate-id() != generate-id($termsExt)
                                                    and not($discountExt and generate-id() = generate-id($discountDesc))]"/>
      </extrinsics>

      <lines>
        <xsl:apply-templates select="ItemOut"/>
      </lines>

      <!-- what the order holds and the canonical order has no place for:
           said, never dropped silently (one warning per kind; the text
           names no line, so the chunks of a large order agree) -->
      <xsl:call-template name="not-carried">
        <xsl:with-param name="what" select="'OrderRequestHeader/PaymentTerm with a Discount, or more than one PaymentTerm'"/>
        <xsl:with-param name="present" select="count($hdr/PaymentTerm) &gt; 1 or $hdr/PaymentTerm/Discount"/>
      </xsl:call-template>
      <xsl:call-template name="not-carried">
        <xsl:with-param name="what" select="'OrderRequestHeader/TermsOfDelivery'"/>
        <xsl:with-param name="present" select="boolean($hdr/TermsOfDelivery)"/>
      </xsl:call-template>
      <xsl:for-each select="$hdr/@shipComplete | $hdr/@pickUpDate | $hdr/@agreementID
                            | $hdr/@agreementPayloadID | $hdr/@effectiveDate | $hdr/@expirationDate">
        <xsl:call-template name="not-carried">
          <xsl:with-param name="what" select="concat('OrderRequestHeader/@', name())"/>
          <xsl:with-param name="present" select="true()"/>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="$hdr/LegalEntity[1] | $hdr/OrganizationalUnit[1] | $hdr/Followup[1]
                            | $hdr/ControlKeys[1] | $hdr/IdReference[1] | $hdr/Modifications[1]">
        <xsl:call-template name="not-carried">
          <xsl:with-param name="what" select="concat('OrderRequestHeader/', name())"/>
          <xsl:with-param name="present" select="true()"/>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:call-template name="not-carried">
        <xsl:with-param name="what" select="'Comments/Attachment'"/>
        <xsl:with-param name="present" select="boolean(.//Comments/Attachment)"/>
      </xsl:call-template>
      <xsl:call-template name="not-carried">
        <xsl:with-param name="what" select="'an Extrinsic nested in an Extrinsic (its text is kept under the outer name)'"/>
        <xsl:with-param name="present" select="boolean(.//Extrinsic/Extrinsic)"/>
      </xsl:call-template>
      <xsl:for-each select="ItemOut/ScheduleLine[1] | ItemOut/BlanketItemDetail[1] | ItemOut/SupplierID[1]
                            | ItemOut/Contact[1] | ItemOut/ItemDetail/URL[1] | ItemOut/Tax/TaxDetail[1]">
        <xsl:variable name="path">
          <xsl:for-each select="ancestor-or-self::*[not(self::cXML or self::Request or self::OrderRequest)]">
            <xsl:if test="position() &gt; 1">/</xsl:if>
            <xsl:value-of select="name()"/>
          </xsl:for-each>
        </xsl:variable>
        <!-- once per kind: only the first line that has it speaks -->
        <xsl:if test="not(../preceding-sibling::ItemOut[*[name() = name(current())]]
                          or ../../preceding-sibling::ItemOut[*/*[name() = name(current())]])">
          <xsl:call-template name="not-carried">
            <xsl:with-param name="what" select="$path"/>
            <xsl:with-param name="present" select="true()"/>
          </xsl:call-template>
        </xsl:if>
      </xsl:for-each>
    </order>
  </xsl:template>

  <xsl:template name="not-carried">
    <xsl:param name="what"/>
    <xsl:param name="present"/>
    <xsl:if test="$present">
      <warning code="not-carried">
        <xsl:value-of select="concat($what, ': in the order, but ordergate carries it into',
                                     ' neither the canonical order nor the outputs; if the',
                                     ' supplier needs it, pass it on by other means')"/>
      </warning>
    </xsl:if>
  </xsl:template>

  <!-- ================================================================ -->
  <!-- line                                                             -->
  <!-- ================================================================ -->

  <xsl:template match="ItemOut">
    <xsl:variable name="d" select="(ItemDetail | BlanketItemDetail)[1]"/>
    <xsl:variable name="n">
      <xsl:choose>
        <xsl:when test="normalize-space(@lineNumber) != ''">
          <xsl:value-of select="normalize-space(@lineNumber)"/>
        </xsl:when>
        <xsl:otherwise>
          <!-- applied to the ItemOut in document order (the order
               template's only apply-templates of them): position() is
               the line's place, without counting its siblings -->
          <xsl:value-of select="position() + $lineOffset"/>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:variable>

    <!-- a price per N units (PriceBasisQuantity) would need a division
         and a rounding rule: only a price per one unit is taken
         (docs/maps.md, "Prices per more than one unit") -->
    <xsl:for-each select="$d/PriceBasisQuantity[not(number(@quantity) = 1 and number(@conversionFactor) = 1)][1]">
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('cXML OrderRequest: ItemOut line ', $n, ': the UnitPrice ',
                                     normalize-space($d/UnitPrice/Money), ' ',
                                     normalize-space($d/UnitPrice/Money/@currency),
                                     ' is the price of ', normalize-space(@quantity), ' ',
                                     normalize-space(UnitOfMeasure),
                                     ' (PriceBasisQuantity quantity=&quot;', normalize-space(@quantity),
                                     '&quot; conversionFactor=&quot;', normalize-space(@conversionFactor),
                                     '&quot;), not of one ', normalize-space($d/UnitOfMeasure),
                                     ' as ordered; ordergate takes prices per one unit only: ask the sender',
                                     ' for the price of one unit of measure, without a PriceBasisQuantity',
                                     ' (or with quantity=&quot;1&quot; conversionFactor=&quot;1&quot;)')"/>
      </xsl:message>
    </xsl:for-each>

    <line number="{$n}">

      <quantity><xsl:value-of select="normalize-space(@quantity)"/></quantity>
      <unitOfMeasure><xsl:value-of select="normalize-space($d/UnitOfMeasure)"/></unitOfMeasure>
      <supplierPartID>
        <xsl:call-template name="trim">
          <xsl:with-param name="s" select="ItemID/SupplierPartID"/>
        </xsl:call-template>
      </supplierPartID>
      <xsl:for-each select="ItemID/SupplierPartAuxiliaryID[1]">
        <!-- opaque: copied byte for byte (text and any markup), comments dropped -->
        <supplierPartAuxiliaryID>
          <xsl:copy-of select="node()[not(self::comment() or self::processing-instruction())]"/>
        </supplierPartAuxiliaryID>
      </xsl:for-each>
      <xsl:if test="ItemID/BuyerPartID">
        <buyerPartID>
          <xsl:call-template name="trim">
            <xsl:with-param name="s" select="ItemID/BuyerPartID"/>
          </xsl:call-template>
        </buyerPartID>
      </xsl:if>

      <description>
        <xsl:if test="normalize-space($d/Description[1]/@xml:lang) != ''">
          <xsl:attribute name="lang">
            <xsl:value-of select="normalize-space($d/Description[1]/@xml:lang)"/>
          </xsl:attribute>
        </xsl:if>
        <xsl:for-each select="$d/Description">
          <xsl:if test="position() &gt; 1">
            <xsl:text>&#10;</xsl:text>
          </xsl:if>
          <!-- the text without its ShortName, unless the ShortName is all there is -->
          <xsl:variable name="t">
            <xsl:call-template name="join-text">
              <xsl:with-param name="texts" select="text()"/>
            </xsl:call-template>
          </xsl:variable>
          <xsl:choose>
            <xsl:when test="normalize-space($t) != ''">
              <xsl:value-of select="normalize-space($t)"/>
            </xsl:when>
            <xsl:otherwise>
              <xsl:value-of select="normalize-space(.)"/>
            </xsl:otherwise>
          </xsl:choose>
        </xsl:for-each>
      </description>

      <unitPrice>
        <xsl:if test="normalize-space($d/UnitPrice/Money/@currency) != ''">
          <xsl:attribute name="currency">
            <xsl:value-of select="normalize-space($d/UnitPrice/Money/@currency)"/>
          </xsl:attribute>
        </xsl:if>
        <xsl:value-of select="normalize-space($d/UnitPrice/Money)"/>
      </unitPrice>

      <xsl:for-each select="$d/Classification[normalize-space() != '']">
        <classification domain="{normalize-space(@domain)}">
          <xsl:call-template name="trim">
            <xsl:with-param name="s" select="."/>
          </xsl:call-template>
        </classification>
      </xsl:for-each>

      <xsl:if test="$d/ManufacturerPartID">
        <manufacturerPartID>
          <xsl:call-template name="trim">
            <xsl:with-param name="s" select="$d/ManufacturerPartID"/>
          </xsl:call-template>
        </manufacturerPartID>
      </xsl:if>
      <xsl:if test="$d/ManufacturerName">
        <manufacturerName><xsl:value-of select="normalize-space($d/ManufacturerName)"/></manufacturerName>
      </xsl:if>

      <xsl:if test="normalize-space(@requestedDeliveryDate) != ''">
        <requestedDeliveryDate>
          <xsl:value-of select="normalize-space(@requestedDeliveryDate)"/>
        </requestedDeliveryDate>
      </xsl:if>

      <xsl:for-each select="ShipTo[1]">
        <xsl:call-template name="party">
          <xsl:with-param name="addr" select="Address"/>
          <xsl:with-param name="element" select="'shipTo'"/>
        </xsl:call-template>
      </xsl:for-each>

      <xsl:apply-templates select="Distribution"/>
      <xsl:apply-templates select="Shipping[1]" mode="charge"/>
      <xsl:apply-templates select="Tax[1]" mode="charge"/>

      <xsl:variable name="lineComments" select="Comments[text()[normalize-space() != '']]"/>
      <xsl:if test="$lineComments">
        <comments>
          <xsl:apply-templates select="Comments"/>
        </comments>
      </xsl:if>

      <xsl:variable name="lineExtrinsics" select="$d/Extrinsic | Extrinsic"/>
      <xsl:if test="$lineExtrinsics">
        <extrinsics>
          <xsl:apply-templates select="$lineExtrinsics"/>
        </extrinsics>
      </xsl:if>
    </line>
  </xsl:template>

  <!-- ================================================================ -->
  <!-- pieces                                                           -->
  <!-- ================================================================ -->

  <xsl:template name="credential-attrs">
    <xsl:param name="c"/>
    <xsl:attribute name="domain">
      <xsl:value-of select="normalize-space($c/@domain)"/>
    </xsl:attribute>
    <xsl:attribute name="identity">
      <xsl:call-template name="trim">
        <xsl:with-param name="s" select="$c/Identity"/>
      </xsl:call-template>
    </xsl:attribute>
  </xsl:template>

  <!-- Shipping / Tax -> charge -->
  <xsl:template match="Shipping | Tax" mode="charge">
    <xsl:element name="{translate(local-name(), 'ST', 'st')}">
      <amount>
        <xsl:call-template name="money-currency">
          <xsl:with-param name="m" select="Money"/>
        </xsl:call-template>
        <xsl:value-of select="normalize-space(Money)"/>
      </amount>
      <xsl:if test="normalize-space(Description) != ''">
        <description><xsl:value-of select="normalize-space(Description)"/></description>
      </xsl:if>
    </xsl:element>
  </xsl:template>

  <!-- a Money's @currency as the amount's currency attribute (the engine
       refuses one that is not the order's) -->
  <xsl:template name="money-currency">
    <xsl:param name="m"/>
    <xsl:if test="normalize-space($m[1]/@currency) != ''">
      <xsl:attribute name="currency">
        <xsl:value-of select="normalize-space($m[1]/@currency)"/>
      </xsl:attribute>
    </xsl:if>
  </xsl:template>

  <!-- Address -> party (or line shipTo) -->
  <xsl:template name="party">
    <xsl:param name="addr"/>
    <xsl:param name="role" select="''"/>
    <xsl:param name="element" select="'party'"/>
    <xsl:element name="{$element}">
      <xsl:if test="$role != ''">
        <xsl:attribute name="role"><xsl:value-of select="$role"/></xsl:attribute>
      </xsl:if>
      <xsl:if test="normalize-space($addr/@addressID) != ''">
        <xsl:attribute name="addressID">
          <xsl:call-template name="trim">
            <xsl:with-param name="s" select="$addr/@addressID"/>
          </xsl:call-template>
        </xsl:attribute>
      </xsl:if>
      <xsl:if test="normalize-space($addr/@isoCountryCode) != ''">
        <xsl:attribute name="isoCountryCode">
          <xsl:value-of select="normalize-space($addr/@isoCountryCode)"/>
        </xsl:attribute>
      </xsl:if>
      <name><xsl:value-of select="normalize-space($addr/Name)"/></name>
      <xsl:variable name="pa" select="$addr/PostalAddress[1]"/>
      <xsl:for-each select="$pa/DeliverTo">
        <deliverTo><xsl:value-of select="normalize-space(.)"/></deliverTo>
      </xsl:for-each>
      <xsl:for-each select="$pa/Street">
        <street><xsl:value-of select="normalize-space(.)"/></street>
      </xsl:for-each>
      <xsl:if test="$pa/City">
        <city><xsl:value-of select="normalize-space($pa/City)"/></city>
      </xsl:if>
      <xsl:if test="$pa/Municipality">
        <municipality><xsl:value-of select="normalize-space($pa/Municipality)"/></municipality>
      </xsl:if>
      <xsl:if test="$pa/State">
        <state><xsl:value-of select="normalize-space($pa/State)"/></state>
      </xsl:if>
      <xsl:if test="$pa/PostalCode">
        <postalCode><xsl:value-of select="normalize-space($pa/PostalCode)"/></postalCode>
      </xsl:if>
      <xsl:if test="$pa/Country">
        <country code="{normalize-space($pa/Country/@isoCountryCode)}">
          <xsl:value-of select="normalize-space($pa/Country)"/>
        </country>
      </xsl:if>
      <xsl:if test="normalize-space($addr/Email[1]) != ''">
        <email><xsl:value-of select="normalize-space($addr/Email[1])"/></email>
      </xsl:if>
      <xsl:for-each select="$addr/Phone[TelephoneNumber][1]">
        <phone>
          <xsl:apply-templates select="TelephoneNumber"/>
        </phone>
      </xsl:for-each>
      <xsl:for-each select="$addr/Fax[1]">
        <fax>
          <xsl:choose>
            <xsl:when test="TelephoneNumber">
              <xsl:apply-templates select="TelephoneNumber"/>
            </xsl:when>
            <xsl:otherwise>
              <xsl:value-of select="normalize-space(URL | Email)"/>
            </xsl:otherwise>
          </xsl:choose>
        </fax>
      </xsl:for-each>
    </xsl:element>
  </xsl:template>

  <!-- TelephoneNumber -> "+CountryCode AreaOrCityCode Number x Extension" -->
  <xsl:template match="TelephoneNumber">
    <xsl:variable name="cc" select="normalize-space(CountryCode)"/>
    <xsl:variable name="parts">
      <xsl:if test="$cc != ''">
        <xsl:value-of select="concat('+', $cc)"/>
      </xsl:if>
      <xsl:value-of select="concat(' ', normalize-space(AreaOrCityCode))"/>
      <xsl:value-of select="concat(' ', normalize-space(Number))"/>
      <xsl:if test="normalize-space(Extension) != ''">
        <xsl:value-of select="concat(' x ', normalize-space(Extension))"/>
      </xsl:if>
    </xsl:variable>
    <xsl:value-of select="normalize-space($parts)"/>
  </xsl:template>

  <!-- Payment -->
  <xsl:template match="Payment">
    <payment>
      <xsl:choose>
        <xsl:when test="PCard">
          <pcard number="{normalize-space(PCard/@number)}"
                 expiration="{normalize-space(PCard/@expiration)}">
            <xsl:if test="normalize-space(PCard/@name) != ''">
              <xsl:attribute name="name">
                <xsl:value-of select="normalize-space(PCard/@name)"/>
              </xsl:attribute>
            </xsl:if>
          </pcard>
        </xsl:when>
        <xsl:otherwise>
          <!-- PaymentToken, a custom PaymentReference (wrapper DTDs) or anything else -->
          <xsl:variable name="p" select="*[1]"/>
          <reference>
            <xsl:choose>
              <xsl:when test="normalize-space($p/@method) != ''">
                <xsl:attribute name="method">
                  <xsl:value-of select="normalize-space($p/@method)"/>
                </xsl:attribute>
              </xsl:when>
              <xsl:when test="$p">
                <xsl:attribute name="method">
                  <xsl:value-of select="local-name($p)"/>
                </xsl:attribute>
              </xsl:when>
            </xsl:choose>
            <xsl:if test="normalize-space($p/@provider) != ''">
              <xsl:attribute name="provider">
                <xsl:value-of select="normalize-space($p/@provider)"/>
              </xsl:attribute>
            </xsl:if>
            <xsl:if test="$p/Money">
              <amount>
                <xsl:call-template name="money-currency">
                  <xsl:with-param name="m" select="$p/Money[1]"/>
                </xsl:call-template>
                <xsl:value-of select="normalize-space($p/Money[1])"/>
              </amount>
            </xsl:if>
            <xsl:for-each select="$p/IdReference">
              <id domain="{normalize-space(@domain)}">
                <xsl:attribute name="identifier">
                  <xsl:call-template name="trim">
                    <xsl:with-param name="s" select="@identifier"/>
                  </xsl:call-template>
                </xsl:attribute>
              </id>
            </xsl:for-each>
          </reference>
        </xsl:otherwise>
      </xsl:choose>
    </payment>
  </xsl:template>

  <!-- Contact -->
  <xsl:template match="Contact">
    <contact>
      <xsl:if test="normalize-space(@role) != ''">
        <xsl:attribute name="role"><xsl:value-of select="normalize-space(@role)"/></xsl:attribute>
      </xsl:if>
      <name><xsl:value-of select="normalize-space(Name)"/></name>
      <xsl:for-each select="Email[normalize-space() != '']">
        <email><xsl:value-of select="normalize-space(.)"/></email>
      </xsl:for-each>
      <xsl:for-each select="Phone[TelephoneNumber]">
        <phone><xsl:apply-templates select="TelephoneNumber"/></phone>
      </xsl:for-each>
      <!-- ordergate convention: a phone written as Extrinsic name="phone" -->
      <xsl:for-each select="Extrinsic[@name = 'phone' and normalize-space() != '']">
        <phone><xsl:value-of select="normalize-space(.)"/></phone>
      </xsl:for-each>
    </contact>
  </xsl:template>

  <!-- Comments: text only (Attachment dropped); comments without text dropped -->
  <xsl:template match="Comments">
    <xsl:variable name="t">
      <xsl:call-template name="join-text">
        <xsl:with-param name="texts" select="text()"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:if test="normalize-space($t) != ''">
      <comment>
        <xsl:if test="normalize-space(@type) != ''">
          <xsl:attribute name="type"><xsl:value-of select="normalize-space(@type)"/></xsl:attribute>
        </xsl:if>
        <xsl:if test="normalize-space(@xml:lang) != ''">
          <xsl:attribute name="lang"><xsl:value-of select="normalize-space(@xml:lang)"/></xsl:attribute>
        </xsl:if>
        <xsl:value-of select="normalize-space($t)"/>
      </comment>
    </xsl:if>
  </xsl:template>

  <!-- Extrinsic: string value; text-only content is copied raw, nested
       markup is flattened to its whitespace-normalised text -->
  <xsl:template match="Extrinsic">
    <extrinsic name="{normalize-space(@name)}">
      <xsl:choose>
        <xsl:when test="*">
          <xsl:variable name="t">
            <xsl:call-template name="join-text">
              <xsl:with-param name="texts" select=".//text()"/>
            </xsl:call-template>
          </xsl:variable>
          <xsl:value-of select="normalize-space($t)"/>
        </xsl:when>
        <xsl:otherwise>
          <xsl:value-of select="."/>
        </xsl:otherwise>
      </xsl:choose>
    </extrinsic>
  </xsl:template>

  <!-- Distribution -->
  <xsl:template match="Distribution">
    <distribution>
      <accounting name="{normalize-space(Accounting/@name)}">
        <xsl:for-each select="Accounting/Segment">
          <segment type="{normalize-space(@type)}">
            <xsl:attribute name="id">
              <xsl:call-template name="trim">
                <xsl:with-param name="s" select="@id"/>
              </xsl:call-template>
            </xsl:attribute>
            <xsl:if test="@description">
              <xsl:attribute name="description">
                <xsl:value-of select="normalize-space(@description)"/>
              </xsl:attribute>
            </xsl:if>
          </segment>
        </xsl:for-each>
        <xsl:for-each select="Accounting/AccountingSegment">
          <segment type="{normalize-space(Name)}">
            <xsl:attribute name="id">
              <xsl:call-template name="trim">
                <xsl:with-param name="s" select="@id"/>
              </xsl:call-template>
            </xsl:attribute>
            <xsl:if test="Description">
              <xsl:attribute name="description">
                <xsl:value-of select="normalize-space(Description)"/>
              </xsl:attribute>
            </xsl:if>
          </segment>
        </xsl:for-each>
      </accounting>
      <charge>
        <xsl:call-template name="money-currency">
          <xsl:with-param name="m" select="Charge/Money"/>
        </xsl:call-template>
        <xsl:value-of select="normalize-space(Charge/Money)"/>
      </charge>
    </distribution>
  </xsl:template>

  <!-- ================================================================ -->
  <!-- string helpers                                                   -->
  <!-- ================================================================ -->

  <!-- the text nodes joined as they stand in the document: nothing is
       put between two parts that only a comment or processing instruction
       separates ("Wid<!- - c - ->get" is "Widget"), a space where an
       element does (text on either side of a ShortName or a child
       element). The caller normalises the whitespace. -->
  <xsl:template name="join-text">
    <xsl:param name="texts"/>
    <xsl:for-each select="$texts">
      <xsl:if test="not(preceding-sibling::node()[self::text() or self::*][1][self::text()])">
        <xsl:text> </xsl:text>
      </xsl:if>
      <xsl:value-of select="."/>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="or-default">
    <xsl:param name="v"/>
    <xsl:param name="d"/>
    <xsl:choose>
      <xsl:when test="normalize-space($v) != ''">
        <xsl:value-of select="normalize-space($v)"/>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$d"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- strip leading and trailing XML whitespace, keep the inside as is -->
  <xsl:template name="trim">
    <xsl:param name="s"/>
    <xsl:variable name="str" select="string($s)"/>
    <xsl:variable name="first" select="substring(normalize-space($str), 1, 1)"/>
    <xsl:if test="$first != ''">
      <xsl:call-template name="rtrim">
        <xsl:with-param name="s"
            select="substring($str, string-length(substring-before($str, $first)) + 1)"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <xsl:template name="rtrim">
    <xsl:param name="s"/>
    <xsl:variable name="last" select="substring($s, string-length($s), 1)"/>
    <xsl:choose>
      <xsl:when test="$s != '' and contains($ws, $last)">
        <xsl:call-template name="rtrim">
          <xsl:with-param name="s" select="substring($s, 1, string-length($s) - 1)"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

</xsl:stylesheet>
