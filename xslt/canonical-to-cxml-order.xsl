<?xml version="1.0" encoding="UTF-8"?>
<!--
  canonical-to-cxml-order.xsl: enriched canonical order -> cXML 1.2.071
  OrderRequest (the purchase order forwarded to the supplier). The output
  validates against cXML.dtd 1.2.071.

  Parameters (all strings; the engine passes every one):
    payloadID       cXML/@payloadID of the new document (required)
    timestamp       cXML/@timestamp, ISO 8601 with zone (required)
    senderDomain    Sender/Credential/@domain (required)
    senderIdentity  Sender/Credential/Identity (required)
    userAgent       Sender/UserAgent (default "ordergate")
  No SharedSecret is ever written: the transport adds authentication.

  Lines: every line but those the decision rejected whole (they are not
  ordered from the supplier; the buyer's confirmation names them).
  Figures: Total/Money is summary/subtotal (the computed sum of the line
  amounts), or summary/accepted/subtotal when lines were rejected; never
  the buyer's stated total. Money values are copied as the
  engine normalised them; number() is never applied to money.

  Fallbacks, chosen to stay DTD-valid without inventing data:
  - Classification+ is required by ItemDetail. A line without
    classification gets one empty <Classification domain="UNSPSC"/>: the
    DTD allows empty content, and an empty code claims nothing.
  - xml:lang is required on Name and Description; the canonical order does
    not keep it for names and charge descriptions, so "en" is written there
    (a line description keeps its own @lang when it has one).
  - PostalAddress needs Street+, City and Country/@isoCountryCode: it is
    written whenever the party has a country code, with an empty Street or
    City for one that was not sent (the street, postal code and country
    are kept rather than the whole address dropped).
  - Phone/Fax need TelephoneNumber with CountryCode/@isoCountryCode. A party
    phone is written only when the party has an ISO country code
    (@isoCountryCode, else country/@code); that code goes on CountryCode.
    "+CC AREA NUMBER x EXT" (what cxml-to-canonical.xsl writes) is split
    back into its parts; any other string goes whole into Number with empty
    CountryCode and AreaOrCityCode. Without a country code the phone is
    dropped. A contact has no country, so contact phones are written as
    Contact/Extrinsic name="phone" (the string as is).
  - BillTo is required by the DTD: an order without a billTo party stops
    with an error instead of inventing one.
  - Parties other than shipTo/billTo become BusinessPartner only for the
    roles the DTD allows (soldTo, shipFrom, orderingAddress, logistics);
    other roles are dropped. Only the first shipTo and billTo are used.
  - Payment: pcard -> Payment/PCard. A reference payment becomes header
    Extrinsics paymentMethod, paymentProvider and paymentReference
    ("domain:identifier; domain:identifier").
  - paymentTerms "net N" -> PaymentTerm payInNumberOfDays="N"; any other
    text -> Extrinsic name="paymentTerms".
  - A header discount (no cXML OrderRequest element for it) -> Extrinsic
    name="discount" holding the amount (and discountDescription); the cXML
    map reads both back.
  - orderType outside the DTD's list stops with an error.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"
              doctype-system="http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd"/>
  <xsl:strip-space elements="*"/>

  <!-- lines the decision rejected whole are not ordered from the supplier;
       summary/accepted (written when some are) holds the figures of the rest -->
  <xsl:key name="rejected-line" match="/order/decision/line[@action = 'reject'][not(@accepted)]"
           use="number(@number)"/>
  <xsl:variable name="sums" select="/order/summary/accepted | /order/summary[not(accepted)]"/>
  <xsl:preserve-space elements="supplierPartAuxiliaryID"/>

  <xsl:param name="payloadID" select="''"/>
  <xsl:param name="timestamp" select="''"/>
  <xsl:param name="senderDomain" select="''"/>
  <xsl:param name="senderIdentity" select="''"/>
  <xsl:param name="userAgent" select="'ordergate'"/>

  <xsl:variable name="lang" select="'en'"/>
  <xsl:variable name="cur" select="normalize-space(/order/currency)"/>

  <!-- ================================================================ -->

  <xsl:template match="/">
    <xsl:if test="not(order/summary)">
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('not an enriched canonical order: root is ', name(*[1]), ' (order with summary expected)')"/>
      </xsl:message>
    </xsl:if>
    <xsl:call-template name="require">
      <xsl:with-param name="name" select="'payloadID'"/>
      <xsl:with-param name="value" select="$payloadID"/>
    </xsl:call-template>
    <xsl:call-template name="require">
      <xsl:with-param name="name" select="'timestamp'"/>
      <xsl:with-param name="value" select="$timestamp"/>
    </xsl:call-template>
    <xsl:call-template name="require">
      <xsl:with-param name="name" select="'senderDomain'"/>
      <xsl:with-param name="value" select="$senderDomain"/>
    </xsl:call-template>
    <xsl:call-template name="require">
      <xsl:with-param name="name" select="'senderIdentity'"/>
      <xsl:with-param name="value" select="$senderIdentity"/>
    </xsl:call-template>
    <xsl:if test="not(order/parties/party[@role = 'billTo'])">
      <xsl:message terminate="yes">cannot write a cXML OrderRequest: /order/parties has no billTo party (BillTo is required)</xsl:message>
    </xsl:if>
    <xsl:if test="not(contains(' regular release blanket stockTransport stockTransportRelease ',
                               concat(' ', normalize-space(order/orderType), ' ')))">
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('cannot write a cXML OrderRequest: /order/orderType &quot;', order/orderType, '&quot; is not a cXML orderType')"/>
      </xsl:message>
    </xsl:if>
    <xsl:apply-templates select="order"/>
  </xsl:template>

  <xsl:template name="require">
    <xsl:param name="name"/>
    <xsl:param name="value"/>
    <xsl:if test="normalize-space($value) = ''">
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('stylesheet parameter ', $name, ' is empty')"/>
      </xsl:message>
    </xsl:if>
  </xsl:template>

  <!-- ================================================================ -->

  <xsl:template match="order">
    <cXML payloadID="{$payloadID}" timestamp="{$timestamp}" xml:lang="en-US">
      <Header>
        <From>
          <Credential domain="{from/@domain}">
            <Identity><xsl:value-of select="from/@identity"/></Identity>
          </Credential>
        </From>
        <To>
          <Credential domain="{to/@domain}">
            <Identity><xsl:value-of select="to/@identity"/></Identity>
          </Credential>
        </To>
        <Sender>
          <Credential domain="{$senderDomain}">
            <Identity><xsl:value-of select="$senderIdentity"/></Identity>
          </Credential>
          <UserAgent><xsl:value-of select="$userAgent"/></UserAgent>
        </Sender>
      </Header>
      <Request deploymentMode="{source/@mode}">
        <OrderRequest>
          <xsl:call-template name="header"/>
          <xsl:apply-templates select="lines/line[not(key('rejected-line', number(@number)))]"/>
        </OrderRequest>
      </Request>
    </cXML>
  </xsl:template>

  <!-- OrderRequestHeader, children in DTD order -->
  <xsl:template name="header">
    <OrderRequestHeader orderID="{poNumber}{orderID[not(../poNumber)]}" orderDate="{orderDate}"
                        type="{type}" orderType="{normalize-space(orderType)}">
      <xsl:if test="orderVersion">
        <xsl:attribute name="orderVersion"><xsl:value-of select="orderVersion"/></xsl:attribute>
      </xsl:if>
      <xsl:if test="requisitionID">
        <xsl:attribute name="requisitionID"><xsl:value-of select="requisitionID"/></xsl:attribute>
      </xsl:if>
      <xsl:if test="requestedDeliveryDate">
        <xsl:attribute name="requestedDeliveryDate">
          <xsl:value-of select="requestedDeliveryDate"/>
        </xsl:attribute>
      </xsl:if>

      <Total>
        <Money currency="{$cur}"><xsl:value-of select="$sums/subtotal"/></Money>
      </Total>

      <xsl:for-each select="parties/party[@role = 'shipTo'][1]">
        <ShipTo><xsl:call-template name="address"/></ShipTo>
      </xsl:for-each>
      <xsl:for-each select="parties/party[@role = 'billTo'][1]">
        <BillTo><xsl:call-template name="address"/></BillTo>
      </xsl:for-each>
      <xsl:for-each select="parties/party[@role = 'soldTo' or @role = 'shipFrom'
                                          or @role = 'orderingAddress' or @role = 'logistics']">
        <BusinessPartner type="organization" role="{@role}">
          <xsl:call-template name="address"/>
        </BusinessPartner>
      </xsl:for-each>

      <xsl:apply-templates select="shipping | tax" mode="charge"/>

      <xsl:for-each select="payment/pcard">
        <Payment>
          <PCard number="{@number}" expiration="{@expiration}">
            <xsl:if test="@name">
              <xsl:attribute name="name"><xsl:value-of select="@name"/></xsl:attribute>
            </xsl:if>
          </PCard>
        </Payment>
      </xsl:for-each>

      <xsl:variable name="netDays"
                    select="normalize-space(substring-after(normalize-space(paymentTerms), 'net '))"/>
      <xsl:variable name="simpleTerms"
                    select="starts-with(normalize-space(paymentTerms), 'net ')
                            and $netDays != ''
                            and translate($netDays, '0123456789', '') = ''"/>
      <xsl:if test="$simpleTerms">
        <PaymentTerm payInNumberOfDays="{$netDays}"/>
      </xsl:if>

      <xsl:apply-templates select="contacts/contact"/>
      <xsl:apply-templates select="comments/comment"/>

      <xsl:if test="previousPayloadID">
        <DocumentReference payloadID="{previousPayloadID}"/>
      </xsl:if>

      <xsl:apply-templates select="extrinsics/extrinsic"/>
      <xsl:for-each select="payment/reference">
        <xsl:if test="normalize-space(@method) != ''">
          <Extrinsic name="paymentMethod"><xsl:value-of select="@method"/></Extrinsic>
        </xsl:if>
        <xsl:if test="normalize-space(@provider) != ''">
          <Extrinsic name="paymentProvider"><xsl:value-of select="@provider"/></Extrinsic>
        </xsl:if>
        <xsl:if test="id">
          <Extrinsic name="paymentReference">
            <xsl:for-each select="id">
              <xsl:if test="position() &gt; 1">; </xsl:if>
              <xsl:value-of select="concat(@domain, ':', @identifier)"/>
            </xsl:for-each>
          </Extrinsic>
        </xsl:if>
      </xsl:for-each>
      <xsl:if test="paymentTerms and not($simpleTerms)">
        <Extrinsic name="paymentTerms"><xsl:value-of select="paymentTerms"/></Extrinsic>
      </xsl:if>
      <!-- with a PO number of ours, the buyer's order number travels along -->
      <xsl:if test="poNumber">
        <Extrinsic name="buyerOrderID"><xsl:value-of select="orderID"/></Extrinsic>
      </xsl:if>
      <xsl:if test="discount">
        <Extrinsic name="discount"><xsl:value-of select="discount/amount"/></Extrinsic>
        <xsl:if test="normalize-space(discount/description) != ''">
          <Extrinsic name="discountDescription"><xsl:value-of select="discount/description"/></Extrinsic>
        </xsl:if>
      </xsl:if>
    </OrderRequestHeader>
  </xsl:template>

  <!-- ================================================================ -->
  <!-- ItemOut                                                          -->
  <!-- ================================================================ -->

  <xsl:template match="line">
    <ItemOut quantity="{quantity}" lineNumber="{@number}">
      <xsl:if test="requestedDeliveryDate">
        <xsl:attribute name="requestedDeliveryDate">
          <xsl:value-of select="requestedDeliveryDate"/>
        </xsl:attribute>
      </xsl:if>
      <ItemID>
        <SupplierPartID><xsl:value-of select="supplierPartID"/></SupplierPartID>
        <xsl:for-each select="supplierPartAuxiliaryID">
          <SupplierPartAuxiliaryID><xsl:copy-of select="node()"/></SupplierPartAuxiliaryID>
        </xsl:for-each>
        <xsl:if test="buyerPartID">
          <BuyerPartID><xsl:value-of select="buyerPartID"/></BuyerPartID>
        </xsl:if>
      </ItemID>
      <ItemDetail>
        <UnitPrice>
          <Money currency="{$cur}"><xsl:value-of select="unitPrice"/></Money>
        </UnitPrice>
        <Description>
          <xsl:attribute name="xml:lang">
            <xsl:choose>
              <xsl:when test="normalize-space(description/@lang) != ''">
                <xsl:value-of select="normalize-space(description/@lang)"/>
              </xsl:when>
              <xsl:otherwise><xsl:value-of select="$lang"/></xsl:otherwise>
            </xsl:choose>
          </xsl:attribute>
          <xsl:value-of select="description"/>
        </Description>
        <UnitOfMeasure><xsl:value-of select="unitOfMeasure"/></UnitOfMeasure>
        <xsl:for-each select="classification">
          <Classification domain="{@domain}"><xsl:value-of select="."/></Classification>
        </xsl:for-each>
        <xsl:if test="not(classification)">
          <!-- required by the DTD; empty code: see the header comment -->
          <Classification domain="UNSPSC"/>
        </xsl:if>
        <xsl:if test="manufacturerPartID">
          <ManufacturerPartID><xsl:value-of select="manufacturerPartID"/></ManufacturerPartID>
        </xsl:if>
        <xsl:if test="manufacturerName">
          <ManufacturerName><xsl:value-of select="manufacturerName"/></ManufacturerName>
        </xsl:if>
        <xsl:apply-templates select="extrinsics/extrinsic"/>
      </ItemDetail>
      <xsl:for-each select="shipTo">
        <ShipTo><xsl:call-template name="address"/></ShipTo>
      </xsl:for-each>
      <xsl:apply-templates select="shipping | tax" mode="charge"/>
      <xsl:for-each select="distribution">
        <Distribution>
          <Accounting name="{accounting/@name}">
            <xsl:for-each select="accounting/segment">
              <Segment type="{@type}" id="{@id}" description="{@description}"/>
            </xsl:for-each>
          </Accounting>
          <Charge>
            <Money currency="{$cur}"><xsl:value-of select="charge"/></Money>
          </Charge>
        </Distribution>
      </xsl:for-each>
      <xsl:apply-templates select="comments/comment"/>
    </ItemOut>
  </xsl:template>

  <!-- ================================================================ -->
  <!-- shared pieces                                                    -->
  <!-- ================================================================ -->

  <!-- shipping / tax charge -->
  <xsl:template match="shipping | tax" mode="charge">
    <xsl:variable name="el">
      <xsl:choose>
        <xsl:when test="self::shipping">Shipping</xsl:when>
        <xsl:otherwise>Tax</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:element name="{$el}">
      <Money currency="{$cur}"><xsl:value-of select="amount"/></Money>
      <Description xml:lang="{$lang}"><xsl:value-of select="description"/></Description>
    </xsl:element>
  </xsl:template>

  <!-- party (context node) -> Address -->
  <xsl:template name="address">
    <xsl:variable name="iso">
      <xsl:choose>
        <xsl:when test="normalize-space(@isoCountryCode) != ''">
          <xsl:value-of select="normalize-space(@isoCountryCode)"/>
        </xsl:when>
        <xsl:otherwise><xsl:value-of select="normalize-space(country/@code)"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <Address>
      <xsl:if test="normalize-space(@isoCountryCode) != ''">
        <xsl:attribute name="isoCountryCode"><xsl:value-of select="@isoCountryCode"/></xsl:attribute>
      </xsl:if>
      <xsl:if test="@addressID">
        <xsl:attribute name="addressID"><xsl:value-of select="@addressID"/></xsl:attribute>
      </xsl:if>
      <Name xml:lang="{$lang}"><xsl:value-of select="name"/></Name>
      <xsl:if test="normalize-space(country/@code) != ''">
        <!-- the DTD needs Street+ and City: empty ones stand for what was
             not sent, rather than losing the street, postal code and
             country of the address -->
        <PostalAddress>
          <xsl:for-each select="deliverTo">
            <DeliverTo><xsl:value-of select="."/></DeliverTo>
          </xsl:for-each>
          <xsl:for-each select="street">
            <Street><xsl:value-of select="."/></Street>
          </xsl:for-each>
          <xsl:if test="not(street)">
            <Street/>
          </xsl:if>
          <City><xsl:value-of select="city"/></City>
          <xsl:if test="municipality">
            <Municipality><xsl:value-of select="municipality"/></Municipality>
          </xsl:if>
          <xsl:if test="state">
            <State><xsl:value-of select="state"/></State>
          </xsl:if>
          <xsl:if test="postalCode">
            <PostalCode><xsl:value-of select="postalCode"/></PostalCode>
          </xsl:if>
          <Country isoCountryCode="{normalize-space(country/@code)}">
            <xsl:value-of select="country"/>
          </Country>
        </PostalAddress>
      </xsl:if>
      <xsl:if test="normalize-space(email) != ''">
        <Email><xsl:value-of select="email"/></Email>
      </xsl:if>
      <xsl:if test="normalize-space(phone) != '' and $iso != ''">
        <Phone>
          <xsl:call-template name="telephone">
            <xsl:with-param name="s" select="normalize-space(phone)"/>
            <xsl:with-param name="iso" select="$iso"/>
          </xsl:call-template>
        </Phone>
      </xsl:if>
      <xsl:variable name="fax" select="normalize-space(fax)"/>
      <xsl:if test="$fax != ''">
        <xsl:choose>
          <xsl:when test="contains($fax, '://')">
            <Fax><URL><xsl:value-of select="$fax"/></URL></Fax>
          </xsl:when>
          <xsl:when test="contains($fax, '@')">
            <Fax><Email><xsl:value-of select="$fax"/></Email></Fax>
          </xsl:when>
          <xsl:when test="$iso != ''">
            <Fax>
              <xsl:call-template name="telephone">
                <xsl:with-param name="s" select="$fax"/>
                <xsl:with-param name="iso" select="$iso"/>
              </xsl:call-template>
            </Fax>
          </xsl:when>
        </xsl:choose>
      </xsl:if>
    </Address>
  </xsl:template>

  <!-- "+CC AREA NUMBER x EXT" -> TelephoneNumber -->
  <xsl:template name="telephone">
    <xsl:param name="s"/>
    <xsl:param name="iso"/>
    <xsl:variable name="main">
      <xsl:choose>
        <xsl:when test="contains($s, ' x ')"><xsl:value-of select="substring-before($s, ' x ')"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="ext" select="substring-after($s, ' x ')"/>
    <xsl:variable name="rest" select="substring-after($main, ' ')"/>
    <TelephoneNumber>
      <xsl:choose>
        <xsl:when test="starts-with($main, '+') and $rest != ''">
          <CountryCode isoCountryCode="{$iso}">
            <xsl:value-of select="substring-before(substring($main, 2), ' ')"/>
          </CountryCode>
          <xsl:choose>
            <xsl:when test="contains($rest, ' ')">
              <AreaOrCityCode><xsl:value-of select="substring-before($rest, ' ')"/></AreaOrCityCode>
              <Number><xsl:value-of select="substring-after($rest, ' ')"/></Number>
            </xsl:when>
            <xsl:otherwise>
              <AreaOrCityCode/>
              <Number><xsl:value-of select="$rest"/></Number>
            </xsl:otherwise>
          </xsl:choose>
          <xsl:if test="$ext != ''">
            <Extension><xsl:value-of select="$ext"/></Extension>
          </xsl:if>
        </xsl:when>
        <xsl:otherwise>
          <CountryCode isoCountryCode="{$iso}"/>
          <AreaOrCityCode/>
          <Number><xsl:value-of select="$s"/></Number>
        </xsl:otherwise>
      </xsl:choose>
    </TelephoneNumber>
  </xsl:template>

  <xsl:template match="contact">
    <Contact>
      <!-- Contact/@role is an NMTOKEN -->
      <xsl:if test="normalize-space(@role) != '' and not(contains(normalize-space(@role), ' '))">
        <xsl:attribute name="role"><xsl:value-of select="normalize-space(@role)"/></xsl:attribute>
      </xsl:if>
      <Name xml:lang="{$lang}"><xsl:value-of select="name"/></Name>
      <xsl:for-each select="email">
        <Email><xsl:value-of select="."/></Email>
      </xsl:for-each>
      <xsl:for-each select="phone">
        <Extrinsic name="phone"><xsl:value-of select="."/></Extrinsic>
      </xsl:for-each>
    </Contact>
  </xsl:template>

  <xsl:template match="comment">
    <Comments>
      <xsl:if test="normalize-space(@lang) != ''">
        <xsl:attribute name="xml:lang"><xsl:value-of select="normalize-space(@lang)"/></xsl:attribute>
      </xsl:if>
      <xsl:if test="@type">
        <xsl:attribute name="type"><xsl:value-of select="@type"/></xsl:attribute>
      </xsl:if>
      <xsl:value-of select="."/>
    </Comments>
  </xsl:template>

  <xsl:template match="extrinsic">
    <Extrinsic name="{@name}"><xsl:value-of select="."/></Extrinsic>
  </xsl:template>

</xsl:stylesheet>
