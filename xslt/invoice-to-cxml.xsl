<?xml version="1.0" encoding="UTF-8"?>
<!--
  invoice-to-cxml.xsl: canonical invoice (xslt/invoice.rng) -> cXML 1.2.071
  InvoiceDetailRequest, a detail invoice (one InvoiceDetailOrder, one
  InvoiceDetailItem per line). The output validates against
  xslt/schemas/cxml-1.2.071/InvoiceDetail.dtd.

  Parameters (all strings; the engine passes every one):
    payloadID       cXML/@payloadID of the new document (required)
    timestamp       cXML/@timestamp, ISO 8601 with zone (required)
    senderDomain    Sender/Credential/@domain (required)
    senderIdentity  Sender/Credential/Identity (required)
    userAgent       Sender/UserAgent (default "ordergate")
  No SharedSecret is ever written: the transport adds authentication.

  Money: every amount is printed exactly as the invoice holds it; number()
  is never used, nothing is added up here. A charge is "zero" when its text
  holds no digit other than 0.

  Mapping
    from / to               Header From / To (supplier / buyer)
    mode                    Request/@deploymentMode
    invoiceID, invoiceDate  InvoiceDetailRequestHeader, purpose="standard",
                            operation="new"
    line taxes present      InvoiceDetailLineIndicator isTaxInLine="yes"
    party billTo, remitTo,  InvoicePartner/Contact @role (the roles the DTD
      soldTo,               comment allows; first party of each role)
      issuerOfInvoice
    party shipFrom + shipTo InvoiceDetailShipping (Contact shipFrom, Contact
                            shipTo; @shippingDate = shipment/@shipDate
                            when present;
                            CarrierIdentifier domain="companyName" and
                            ShipmentIdentifier domain="trackingNumber" when
                            the shipment has both carrier and tracking)
    shipment                ShipNoticeIDInfo shipNoticeID=@shipmentID
                            shipNoticeDate=@noticeDate when present (the
                            DTD: "Date and time of the referenced
                            ShipNoticeRequest", not the ship date)
    paymentTerms "net N"    PaymentTerm payInNumberOfDays="N"; any other
                            text -> Comments type="paymentTerms"
    order                   InvoiceDetailOrderInfo/OrderReference orderID=
                            @orderID (the buyer's), orderDate, with
                            DocumentReference payloadID=@payloadID (an
                            empty @payloadID, as from an OAGIS order without
                            BODID, gives OrderIDInfo orderID, orderDate
                            instead); then SupplierOrderInfo orderID=
                            @poNumber when present
    line                    InvoiceDetailItem invoiceLineNumber=@invoiceLine
                            quantity; UnitOfMeasure; UnitPrice/Money;
                            InvoiceDetailItemReference lineNumber=@number with
                            ItemID (SupplierPartID, BuyerPartID?) and
                            Description; SubtotalAmount = amount; Tax = tax
    summary                 SubtotalAmount, Tax (always: the DTD requires it),
                            ShippingAmount (non-zero shipping),
                            InvoiceDetailDiscount (non-zero discount; cXML
                            NetAmount is "gross minus discounts", so the
                            positive amount is written as is), NetAmount and
                            DueAmount = net (no deposits are taken)

  DTD-driven fallbacks (nothing is invented):
  - InvoiceDetailShipping needs two Contacts (shipFrom and shipTo). Without
    both parties it is left out; the carrier and the tracking number of a
    shipment then go into header Extrinsic name="carrier" and
    name="trackingNumber" (also when only one of the two is known, since
    CarrierIdentifier+ and ShipmentIdentifier+ must come together).
  - Tax/Description and Name/Description @xml:lang are required: "en" is
    written unless a line description carries its own @lang.
  - TaxDetail needs @category. It is written only when summary/taxRate is
    present (percentageRate = taxRate; line TaxableAmount = line amount,
    TaxAmount = line tax): category "sales" when the billTo party is in the
    US (sales tax), otherwise "vat". Without a rate only Money and
    Description are written. Tax/Description (required) is "VAT 19%",
    "Sales tax 8.25%", or "Tax" without a rate.
  - Dates are copied as the invoice holds them (the engine has made a
    date-only orderDate a date-time: docs/canonical.md); a date the
    invoice lacks is left out (both are #IMPLIED), never made up.
  - PostalAddress needs Street+, City and Country/@isoCountryCode: written
    whenever the party has a country/@code, with an empty Street or City
    for one that was not sent (the street, postal code and country are
    kept rather than the whole address dropped).
  - Phone/Fax need TelephoneNumber with CountryCode/@isoCountryCode: written
    only when the party has an ISO country (@isoCountryCode, else
    country/@code). "+CC AREA NUMBER x EXT" is split into its parts; any
    other string goes whole into Number.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"
              doctype-system="http://xml.cxml.org/schemas/cXML/1.2.071/InvoiceDetail.dtd"/>
  <xsl:strip-space elements="*"/>
  <xsl:preserve-space elements="description paymentTerms"/>

  <xsl:param name="payloadID" select="''"/>
  <xsl:param name="timestamp" select="''"/>
  <xsl:param name="senderDomain" select="''"/>
  <xsl:param name="senderIdentity" select="''"/>
  <xsl:param name="userAgent" select="'ordergate'"/>

  <xsl:variable name="lang" select="'en'"/>
  <xsl:variable name="cur" select="normalize-space(/invoice/currency)"/>
  <xsl:variable name="rate" select="normalize-space(/invoice/summary/taxRate)"/>
  <xsl:variable name="billTo" select="/invoice/parties/party[@role = 'billTo'][1]"/>
  <xsl:variable name="taxCategory">
    <xsl:choose>
      <xsl:when test="normalize-space($billTo/@isoCountryCode) = 'US'
                      or (normalize-space($billTo/@isoCountryCode) = ''
                          and normalize-space($billTo/country/@code) = 'US')">sales</xsl:when>
      <xsl:otherwise>vat</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <!-- Tax/Description: "VAT 19%", "Sales tax 8.25%"; "Tax" without a rate -->
  <xsl:variable name="taxLabel">
    <xsl:choose>
      <xsl:when test="$rate = ''">Tax</xsl:when>
      <xsl:when test="$taxCategory = 'sales'">
        <xsl:value-of select="concat('Sales tax ', $rate, '%')"/>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="concat('VAT ', $rate, '%')"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>

  <xsl:variable name="shipFrom" select="/invoice/parties/party[@role = 'shipFrom'][1]"/>
  <xsl:variable name="shipTo" select="/invoice/parties/party[@role = 'shipTo'][1]"/>
  <xsl:variable name="withShipping" select="boolean($shipFrom and $shipTo)"/>
  <xsl:variable name="carrierInShipping"
                select="$withShipping
                        and normalize-space(/invoice/shipment/@carrier) != ''
                        and normalize-space(/invoice/shipment/@tracking) != ''"/>

  <!-- ================================================================ -->

  <xsl:template match="/">
    <xsl:if test="not(invoice/summary)">
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('not a canonical invoice: root is ', name(*[1]), ' (invoice with summary expected)')"/>
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
    <xsl:apply-templates select="invoice"/>
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

  <!-- true when a decimal string holds a digit other than 0 -->
  <xsl:template name="non-zero">
    <xsl:param name="v"/>
    <xsl:if test="translate(normalize-space($v), '+-.0', '') != ''">yes</xsl:if>
  </xsl:template>

  <!-- ================================================================ -->

  <xsl:template match="invoice">
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
      <Request>
        <xsl:attribute name="deploymentMode">
          <xsl:choose>
            <xsl:when test="normalize-space(mode) = 'test'">test</xsl:when>
            <xsl:otherwise>production</xsl:otherwise>
          </xsl:choose>
        </xsl:attribute>
        <InvoiceDetailRequest>
          <xsl:call-template name="request-header"/>
          <InvoiceDetailOrder>
            <xsl:apply-templates select="order"/>
            <xsl:apply-templates select="lines/line"/>
          </InvoiceDetailOrder>
          <xsl:call-template name="summary"/>
        </InvoiceDetailRequest>
      </Request>
    </cXML>
  </xsl:template>

  <!-- InvoiceDetailRequestHeader, children in DTD order -->
  <xsl:template name="request-header">
    <InvoiceDetailRequestHeader invoiceID="{invoiceID}" invoiceDate="{normalize-space(invoiceDate)}"
                                purpose="standard" operation="new">
      <InvoiceDetailHeaderIndicator/>
      <InvoiceDetailLineIndicator>
        <xsl:if test="lines/line/tax">
          <xsl:attribute name="isTaxInLine">yes</xsl:attribute>
        </xsl:if>
      </InvoiceDetailLineIndicator>

      <xsl:for-each select="parties/party[@role = 'issuerOfInvoice'][1]
                            | parties/party[@role = 'soldTo'][1]
                            | parties/party[@role = 'billTo'][1]
                            | parties/party[@role = 'remitTo'][1]">
        <InvoicePartner>
          <xsl:call-template name="contact"/>
        </InvoicePartner>
      </xsl:for-each>

      <xsl:if test="$withShipping">
        <InvoiceDetailShipping>
          <xsl:if test="normalize-space(shipment/@shipDate) != ''">
            <xsl:attribute name="shippingDate">
              <xsl:value-of select="normalize-space(shipment/@shipDate)"/>
            </xsl:attribute>
          </xsl:if>
          <xsl:for-each select="$shipFrom"><xsl:call-template name="contact"/></xsl:for-each>
          <xsl:for-each select="$shipTo"><xsl:call-template name="contact"/></xsl:for-each>
          <xsl:if test="$carrierInShipping">
            <CarrierIdentifier domain="companyName">
              <xsl:value-of select="shipment/@carrier"/>
            </CarrierIdentifier>
            <ShipmentIdentifier domain="trackingNumber">
              <xsl:value-of select="shipment/@tracking"/>
            </ShipmentIdentifier>
          </xsl:if>
        </InvoiceDetailShipping>
      </xsl:if>

      <xsl:for-each select="shipment">
        <ShipNoticeIDInfo shipNoticeID="{@shipmentID}">
          <xsl:if test="normalize-space(@noticeDate) != ''">
            <xsl:attribute name="shipNoticeDate">
              <xsl:value-of select="normalize-space(@noticeDate)"/>
            </xsl:attribute>
          </xsl:if>
        </ShipNoticeIDInfo>
      </xsl:for-each>

      <xsl:variable name="terms" select="normalize-space(paymentTerms)"/>
      <xsl:variable name="netDays" select="normalize-space(substring-after($terms, 'net '))"/>
      <xsl:variable name="simpleTerms"
                    select="starts-with($terms, 'net ') and $netDays != ''
                            and translate($netDays, '0123456789', '') = ''"/>
      <xsl:choose>
        <xsl:when test="$simpleTerms">
          <PaymentTerm payInNumberOfDays="{$netDays}"/>
        </xsl:when>
        <xsl:when test="$terms != ''">
          <Comments type="paymentTerms"><xsl:value-of select="paymentTerms"/></Comments>
        </xsl:when>
      </xsl:choose>

      <xsl:if test="not($carrierInShipping)">
        <xsl:if test="normalize-space(shipment/@carrier) != ''">
          <Extrinsic name="carrier"><xsl:value-of select="shipment/@carrier"/></Extrinsic>
        </xsl:if>
        <xsl:if test="normalize-space(shipment/@tracking) != ''">
          <Extrinsic name="trackingNumber"><xsl:value-of select="shipment/@tracking"/></Extrinsic>
        </xsl:if>
      </xsl:if>
    </InvoiceDetailRequestHeader>
  </xsl:template>

  <!-- InvoiceDetailOrderInfo -->
  <xsl:template match="order">
    <InvoiceDetailOrderInfo>
      <xsl:choose>
        <xsl:when test="normalize-space(@payloadID) != ''">
          <OrderReference orderID="{@orderID}" orderDate="{normalize-space(@orderDate)}">
            <DocumentReference payloadID="{@payloadID}"/>
          </OrderReference>
        </xsl:when>
        <xsl:otherwise>
          <!-- no inbound payloadID (an OAGIS order without BODID) -->
          <OrderIDInfo orderID="{@orderID}" orderDate="{normalize-space(@orderDate)}"/>
        </xsl:otherwise>
      </xsl:choose>
      <xsl:if test="normalize-space(@poNumber) != ''">
        <SupplierOrderInfo orderID="{@poNumber}"/>
      </xsl:if>
    </InvoiceDetailOrderInfo>
  </xsl:template>

  <!-- ================================================================ -->
  <!-- InvoiceDetailItem                                                -->
  <!-- ================================================================ -->

  <xsl:template match="line">
    <InvoiceDetailItem invoiceLineNumber="{normalize-space(@invoiceLine)}"
                       quantity="{normalize-space(quantity)}">
      <UnitOfMeasure><xsl:value-of select="normalize-space(unitOfMeasure)"/></UnitOfMeasure>
      <UnitPrice>
        <xsl:call-template name="money">
          <xsl:with-param name="v" select="unitPrice"/>
        </xsl:call-template>
      </UnitPrice>
      <InvoiceDetailItemReference lineNumber="{normalize-space(@number)}">
        <ItemID>
          <SupplierPartID><xsl:value-of select="supplierPartID"/></SupplierPartID>
          <xsl:if test="buyerPartID">
            <BuyerPartID><xsl:value-of select="buyerPartID"/></BuyerPartID>
          </xsl:if>
        </ItemID>
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
      </InvoiceDetailItemReference>
      <SubtotalAmount>
        <xsl:call-template name="money">
          <xsl:with-param name="v" select="amount"/>
        </xsl:call-template>
      </SubtotalAmount>
      <xsl:for-each select="tax">
        <Tax>
          <xsl:call-template name="money">
            <xsl:with-param name="v" select="."/>
          </xsl:call-template>
          <Description xml:lang="{$lang}"><xsl:value-of select="$taxLabel"/></Description>
          <xsl:if test="$rate != ''">
            <TaxDetail purpose="tax" category="{$taxCategory}" percentageRate="{$rate}">
              <TaxableAmount>
                <xsl:call-template name="money">
                  <xsl:with-param name="v" select="../amount"/>
                </xsl:call-template>
              </TaxableAmount>
              <TaxAmount>
                <xsl:call-template name="money">
                  <xsl:with-param name="v" select="."/>
                </xsl:call-template>
              </TaxAmount>
            </TaxDetail>
          </xsl:if>
        </Tax>
      </xsl:for-each>
    </InvoiceDetailItem>
  </xsl:template>

  <!-- ================================================================ -->
  <!-- InvoiceDetailSummary                                             -->
  <!-- ================================================================ -->

  <xsl:template name="summary">
    <xsl:variable name="s" select="summary"/>
    <xsl:variable name="shipping">
      <xsl:call-template name="non-zero"><xsl:with-param name="v" select="$s/shipping"/></xsl:call-template>
    </xsl:variable>
    <xsl:variable name="discount">
      <xsl:call-template name="non-zero"><xsl:with-param name="v" select="$s/discount"/></xsl:call-template>
    </xsl:variable>
    <InvoiceDetailSummary>
      <SubtotalAmount>
        <xsl:call-template name="money"><xsl:with-param name="v" select="$s/subtotal"/></xsl:call-template>
      </SubtotalAmount>
      <Tax>
        <xsl:call-template name="money"><xsl:with-param name="v" select="$s/tax"/></xsl:call-template>
        <Description xml:lang="{$lang}"><xsl:value-of select="$taxLabel"/></Description>
        <xsl:if test="$rate != ''">
          <TaxDetail purpose="tax" category="{$taxCategory}" percentageRate="{$rate}">
            <TaxAmount>
              <xsl:call-template name="money"><xsl:with-param name="v" select="$s/tax"/></xsl:call-template>
            </TaxAmount>
          </TaxDetail>
        </xsl:if>
      </Tax>
      <xsl:if test="$shipping = 'yes'">
        <ShippingAmount>
          <xsl:call-template name="money"><xsl:with-param name="v" select="$s/shipping"/></xsl:call-template>
        </ShippingAmount>
      </xsl:if>
      <xsl:if test="$discount = 'yes'">
        <InvoiceDetailDiscount>
          <xsl:call-template name="money"><xsl:with-param name="v" select="$s/discount"/></xsl:call-template>
        </InvoiceDetailDiscount>
      </xsl:if>
      <NetAmount>
        <xsl:call-template name="money"><xsl:with-param name="v" select="$s/net"/></xsl:call-template>
      </NetAmount>
      <DueAmount>
        <xsl:call-template name="money"><xsl:with-param name="v" select="$s/net"/></xsl:call-template>
      </DueAmount>
    </InvoiceDetailSummary>
  </xsl:template>

  <!-- ================================================================ -->
  <!-- shared pieces                                                    -->
  <!-- ================================================================ -->

  <xsl:template name="money">
    <xsl:param name="v"/>
    <Money currency="{$cur}"><xsl:value-of select="normalize-space($v)"/></Money>
  </xsl:template>

  <!-- party (context node) -> Contact @role -->
  <xsl:template name="contact">
    <xsl:variable name="iso">
      <xsl:choose>
        <xsl:when test="normalize-space(@isoCountryCode) != ''">
          <xsl:value-of select="normalize-space(@isoCountryCode)"/>
        </xsl:when>
        <xsl:otherwise><xsl:value-of select="normalize-space(country/@code)"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <Contact role="{@role}">
      <xsl:if test="normalize-space(@addressID) != ''">
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
        <Email><xsl:value-of select="normalize-space(email)"/></Email>
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
      <xsl:choose>
        <xsl:when test="$fax = ''"/>
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
    </Contact>
  </xsl:template>

  <!-- "+CC AREA NUMBER x EXT" -> TelephoneNumber; anything else whole in Number -->
  <xsl:template name="telephone">
    <xsl:param name="s"/>
    <xsl:param name="iso"/>
    <xsl:variable name="ext" select="substring-after($s, ' x ')"/>
    <xsl:variable name="main">
      <xsl:choose>
        <xsl:when test="$ext != ''"><xsl:value-of select="substring-before($s, ' x ')"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="cc" select="substring-before(substring($main, 2), ' ')"/>
    <xsl:variable name="rest" select="substring-after($main, ' ')"/>
    <TelephoneNumber>
      <xsl:choose>
        <xsl:when test="starts-with($main, '+') and $cc != '' and $rest != ''">
          <CountryCode isoCountryCode="{$iso}"><xsl:value-of select="$cc"/></CountryCode>
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

</xsl:stylesheet>
