<?xml version="1.0" encoding="UTF-8"?>
<!--
  invoice-to-oagis.xsl: canonical invoice (xslt/invoice.rng) -> OAGIS 10.4
  ProcessInvoice. The output validates against
  xslt/schemas/oagis-10.4/ProcessInvoice.xsd.

  Parameters (all strings; the engine passes every one):
    payloadID       ApplicationArea/BODID (required)
    timestamp       ApplicationArea/CreationDateTime, ISO 8601 (required)
    senderDomain    Sender/LogicalID/@schemeAgencyID (required; not written
                    when it is "LogicalID", the plain OAGIS meaning)
    senderIdentity  Sender/LogicalID (required)
    userAgent       Sender/ComponentID (default "ordergate")

  Money: every amount is printed exactly as the invoice holds it; number()
  is never used, nothing is added up here. A charge is "zero" when its text
  holds no digit other than 0; zero shipping and discount are left out.

  Mapping (element order is the XSD's)
    mode test               root @systemEnvironmentCode Test, else Production
    to                      Receiver/LogicalID, CustomerParty/ID
                            (@schemeAgencyID = domain)
    from                    SupplierParty/ID (@schemeAgencyID = domain)
    (always)                Process/ActionCriteria/ActionExpression
                            actionCode="Add"
    invoiceID, invoiceDate  InvoiceHeader/ID, DocumentDateTime
    shipment                DocumentReference typeCode="Shipment": ID =
                            @shipmentID, DocumentIDSet typeCode=
                            "TrackingNumber"/ID = @tracking, DocumentDateTime
                            = @noticeDate (the date the referenced document
                            was made; left out when absent); CarrierParty/
                            Name = @carrier
    summary/subtotal        ExtendedAmount
    summary/net             TotalAmount (what the buyer owes)
    parties                 first remitTo -> RemitToParty, shipTo ->
                            ShipToParty, billTo -> BillToParty, shipFrom ->
                            ShipFromParty; every other party -> Party @role
    order                   PurchaseOrderReference: ID = @orderID (the
                            buyer's), DocumentIDSet typeCode="PayloadID"/ID =
                            @payloadID (the inbound order document; left
                            out when empty),
                            DocumentIDSet typeCode="SupplierOrderID"/ID =
                            @poNumber (when present), DocumentDateTime =
                            @orderDate
    paymentTerms            PaymentTerm/Description (the text as is)
    summary/tax, taxRate    Tax (Calculation/RateNumber = taxRate in percent,
                            "19" is 19 %; Description; Amount)
    summary/shipping        Charge typeCode="Shipping"/Amount (non-zero only)
    summary/discount        Allowance typeCode="Discount"/Amount (non-zero
                            only; the positive amount taken off)
  line -> InvoiceLine: LineNumberID = @invoiceLine; Item (ID and
    SupplierItemIdentification/ID = supplierPartID when not empty,
    CustomerItemIdentification/ID = buyerPartID, Description @languageCode);
    Quantity @unitCode; UnitPrice/ChargeAmount (PriceType has no Amount);
    PurchaseOrderReference (ID = order/@orderID, LineNumberID = @number);
    ExtendedAmount = amount; Tax (BasisAmount = amount and
    Calculation/RateNumber when a rate is known; Amount = tax).
  Tax @typeCode (only with a rate): "Sales" when the billTo party is in the
  US, otherwise "VAT" (the same rule as invoice-to-cxml.xsl).
  party -> ID (@addressID), Name, Location/Address (AttentionOfName per
    deliverTo, AddressLine per street, CityName, CitySubDivisionName,
    CountrySubDivisionCode, CountryCode = country/@code or @isoCountryCode,
    PostalCode), Contact (TelephoneCommunication/FormattedNumber for phone,
    the same with ChannelCode Fax for fax, EMailAddressCommunication/URI).
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns="http://www.openapplications.org/oagis/10">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
  <xsl:strip-space elements="*"/>
  <xsl:preserve-space elements="description paymentTerms"/>

  <xsl:param name="payloadID" select="''"/>
  <xsl:param name="timestamp" select="''"/>
  <xsl:param name="senderDomain" select="''"/>
  <xsl:param name="senderIdentity" select="''"/>
  <xsl:param name="userAgent" select="'ordergate'"/>

  <xsl:variable name="cur" select="normalize-space(/invoice/currency)"/>
  <xsl:variable name="rate" select="normalize-space(/invoice/summary/taxRate)"/>
  <xsl:variable name="billTo" select="/invoice/parties/party[@role = 'billTo'][1]"/>
  <xsl:variable name="taxType">
    <xsl:choose>
      <xsl:when test="normalize-space($billTo/@isoCountryCode) = 'US'
                      or (normalize-space($billTo/@isoCountryCode) = ''
                          and normalize-space($billTo/country/@code) = 'US')">Sales</xsl:when>
      <xsl:otherwise>VAT</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="taxLabel">
    <xsl:choose>
      <xsl:when test="$rate = ''">Tax</xsl:when>
      <xsl:when test="$taxType = 'Sales'">
        <xsl:value-of select="concat('Sales tax ', $rate, '%')"/>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="concat('VAT ', $rate, '%')"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>

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

  <!-- ================================================================ -->

  <xsl:template match="invoice">
    <ProcessInvoice releaseID="10.4">
      <xsl:attribute name="systemEnvironmentCode">
        <xsl:choose>
          <xsl:when test="normalize-space(mode) = 'test'">Test</xsl:when>
          <xsl:otherwise>Production</xsl:otherwise>
        </xsl:choose>
      </xsl:attribute>
      <ApplicationArea>
        <Sender>
          <LogicalID>
            <xsl:if test="$senderDomain != 'LogicalID'">
              <xsl:attribute name="schemeAgencyID"><xsl:value-of select="$senderDomain"/></xsl:attribute>
            </xsl:if>
            <xsl:value-of select="$senderIdentity"/>
          </LogicalID>
          <xsl:if test="normalize-space($userAgent) != ''">
            <ComponentID><xsl:value-of select="$userAgent"/></ComponentID>
          </xsl:if>
        </Sender>
        <Receiver>
          <LogicalID schemeAgencyID="{to/@domain}"><xsl:value-of select="to/@identity"/></LogicalID>
        </Receiver>
        <CreationDateTime><xsl:value-of select="$timestamp"/></CreationDateTime>
        <BODID><xsl:value-of select="$payloadID"/></BODID>
      </ApplicationArea>
      <DataArea>
        <Process>
          <ActionCriteria>
            <ActionExpression actionCode="Add">/ProcessInvoice/DataArea/Invoice</ActionExpression>
          </ActionCriteria>
        </Process>
        <Invoice>
          <xsl:call-template name="header"/>
          <xsl:apply-templates select="lines/line"/>
        </Invoice>
      </DataArea>
    </ProcessInvoice>
  </xsl:template>

  <!-- InvoiceHeader, children in XSD order -->
  <xsl:template name="header">
    <xsl:variable name="s" select="summary"/>
    <xsl:variable name="remitTo" select="parties/party[@role = 'remitTo'][1]"/>
    <xsl:variable name="shipTo" select="parties/party[@role = 'shipTo'][1]"/>
    <xsl:variable name="shipFrom" select="parties/party[@role = 'shipFrom'][1]"/>
    <xsl:variable name="named" select="$remitTo | $shipTo | $billTo | $shipFrom"/>
    <InvoiceHeader>
      <ID><xsl:value-of select="invoiceID"/></ID>
      <DocumentDateTime><xsl:value-of select="normalize-space(invoiceDate)"/></DocumentDateTime>
      <xsl:for-each select="shipment">
        <DocumentReference typeCode="Shipment">
          <ID><xsl:value-of select="@shipmentID"/></ID>
          <xsl:if test="normalize-space(@tracking) != ''">
            <DocumentIDSet typeCode="TrackingNumber">
              <ID><xsl:value-of select="@tracking"/></ID>
            </DocumentIDSet>
          </xsl:if>
          <xsl:if test="normalize-space(@noticeDate) != ''">
            <DocumentDateTime><xsl:value-of select="normalize-space(@noticeDate)"/></DocumentDateTime>
          </xsl:if>
        </DocumentReference>
      </xsl:for-each>
      <ExtendedAmount currencyCode="{$cur}"><xsl:value-of select="normalize-space($s/subtotal)"/></ExtendedAmount>
      <TotalAmount currencyCode="{$cur}"><xsl:value-of select="normalize-space($s/net)"/></TotalAmount>
      <SupplierParty>
        <ID schemeAgencyID="{from/@domain}"><xsl:value-of select="from/@identity"/></ID>
      </SupplierParty>
      <CustomerParty>
        <ID schemeAgencyID="{to/@domain}"><xsl:value-of select="to/@identity"/></ID>
      </CustomerParty>
      <xsl:for-each select="$remitTo">
        <RemitToParty><xsl:call-template name="party"/></RemitToParty>
      </xsl:for-each>
      <xsl:for-each select="$shipTo">
        <ShipToParty><xsl:call-template name="party"/></ShipToParty>
      </xsl:for-each>
      <xsl:if test="normalize-space(shipment/@carrier) != ''">
        <CarrierParty>
          <Name><xsl:value-of select="shipment/@carrier"/></Name>
        </CarrierParty>
      </xsl:if>
      <xsl:for-each select="$billTo">
        <BillToParty><xsl:call-template name="party"/></BillToParty>
      </xsl:for-each>
      <xsl:for-each select="$shipFrom">
        <ShipFromParty><xsl:call-template name="party"/></ShipFromParty>
      </xsl:for-each>
      <xsl:for-each select="parties/party[count(. | $named) != count($named)]">
        <Party role="{@role}"><xsl:call-template name="party"/></Party>
      </xsl:for-each>
      <xsl:for-each select="order">
        <PurchaseOrderReference>
          <ID><xsl:value-of select="@orderID"/></ID>
          <xsl:if test="normalize-space(@payloadID) != ''">
            <DocumentIDSet typeCode="PayloadID">
              <ID><xsl:value-of select="@payloadID"/></ID>
            </DocumentIDSet>
          </xsl:if>
          <xsl:if test="normalize-space(@poNumber) != ''">
            <DocumentIDSet typeCode="SupplierOrderID">
              <ID><xsl:value-of select="@poNumber"/></ID>
            </DocumentIDSet>
          </xsl:if>
          <DocumentDateTime><xsl:value-of select="normalize-space(@orderDate)"/></DocumentDateTime>
        </PurchaseOrderReference>
      </xsl:for-each>
      <xsl:if test="normalize-space(paymentTerms) != ''">
        <PaymentTerm>
          <Description><xsl:value-of select="paymentTerms"/></Description>
        </PaymentTerm>
      </xsl:if>
      <xsl:call-template name="tax">
        <xsl:with-param name="amount" select="$s/tax"/>
      </xsl:call-template>
      <xsl:if test="translate(normalize-space($s/shipping), '+-.0', '') != ''">
        <Charge typeCode="Shipping">
          <Amount currencyCode="{$cur}"><xsl:value-of select="normalize-space($s/shipping)"/></Amount>
        </Charge>
      </xsl:if>
      <xsl:if test="translate(normalize-space($s/discount), '+-.0', '') != ''">
        <Allowance typeCode="Discount">
          <Amount currencyCode="{$cur}"><xsl:value-of select="normalize-space($s/discount)"/></Amount>
        </Allowance>
      </xsl:if>
    </InvoiceHeader>
  </xsl:template>

  <!-- Tax: BasisAmount? Calculation? Description Amount -->
  <xsl:template name="tax">
    <xsl:param name="amount"/>
    <xsl:param name="basis" select="/.."/>
    <Tax>
      <xsl:if test="$rate != ''">
        <xsl:attribute name="typeCode"><xsl:value-of select="$taxType"/></xsl:attribute>
        <xsl:if test="$basis">
          <BasisAmount currencyCode="{$cur}"><xsl:value-of select="normalize-space($basis)"/></BasisAmount>
        </xsl:if>
        <Calculation>
          <RateNumber><xsl:value-of select="$rate"/></RateNumber>
        </Calculation>
      </xsl:if>
      <Description><xsl:value-of select="$taxLabel"/></Description>
      <Amount currencyCode="{$cur}"><xsl:value-of select="normalize-space($amount)"/></Amount>
    </Tax>
  </xsl:template>

  <!-- ================================================================ -->
  <!-- InvoiceLine                                                      -->
  <!-- ================================================================ -->

  <xsl:template match="line">
    <InvoiceLine>
      <LineNumberID><xsl:value-of select="normalize-space(@invoiceLine)"/></LineNumberID>
      <Item>
        <xsl:if test="normalize-space(supplierPartID) != ''">
          <ID><xsl:value-of select="supplierPartID"/></ID>
        </xsl:if>
        <xsl:if test="buyerPartID">
          <CustomerItemIdentification>
            <ID><xsl:value-of select="buyerPartID"/></ID>
          </CustomerItemIdentification>
        </xsl:if>
        <xsl:if test="normalize-space(supplierPartID) != ''">
          <SupplierItemIdentification>
            <ID><xsl:value-of select="supplierPartID"/></ID>
          </SupplierItemIdentification>
        </xsl:if>
        <Description>
          <xsl:if test="normalize-space(description/@lang) != ''">
            <xsl:attribute name="languageCode"><xsl:value-of select="normalize-space(description/@lang)"/></xsl:attribute>
          </xsl:if>
          <xsl:value-of select="description"/>
        </Description>
      </Item>
      <Quantity unitCode="{normalize-space(unitOfMeasure)}"><xsl:value-of select="normalize-space(quantity)"/></Quantity>
      <UnitPrice>
        <ChargeAmount currencyCode="{$cur}"><xsl:value-of select="normalize-space(unitPrice)"/></ChargeAmount>
      </UnitPrice>
      <PurchaseOrderReference>
        <ID><xsl:value-of select="/invoice/order/@orderID"/></ID>
        <LineNumberID><xsl:value-of select="normalize-space(@number)"/></LineNumberID>
      </PurchaseOrderReference>
      <ExtendedAmount currencyCode="{$cur}"><xsl:value-of select="normalize-space(amount)"/></ExtendedAmount>
      <xsl:if test="tax">
        <xsl:call-template name="tax">
          <xsl:with-param name="amount" select="tax"/>
          <xsl:with-param name="basis" select="amount"/>
        </xsl:call-template>
      </xsl:if>
    </InvoiceLine>
  </xsl:template>

  <!-- ================================================================ -->
  <!-- party (context node) -> party content                            -->
  <!-- ================================================================ -->

  <xsl:template name="party">
    <xsl:if test="normalize-space(@addressID) != ''">
      <ID><xsl:value-of select="@addressID"/></ID>
    </xsl:if>
    <xsl:if test="normalize-space(name) != ''">
      <Name><xsl:value-of select="name"/></Name>
    </xsl:if>
    <xsl:variable name="countryCode">
      <xsl:choose>
        <xsl:when test="normalize-space(country/@code) != ''"><xsl:value-of select="normalize-space(country/@code)"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="normalize-space(@isoCountryCode)"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:if test="deliverTo or street or city or municipality or state or postalCode or $countryCode != ''">
      <Location>
        <Address>
          <xsl:for-each select="deliverTo">
            <AttentionOfName><xsl:value-of select="."/></AttentionOfName>
          </xsl:for-each>
          <xsl:for-each select="street">
            <AddressLine sequenceNumber="{position()}"><xsl:value-of select="."/></AddressLine>
          </xsl:for-each>
          <xsl:if test="city">
            <CityName><xsl:value-of select="city"/></CityName>
          </xsl:if>
          <xsl:if test="municipality">
            <CitySubDivisionName><xsl:value-of select="municipality"/></CitySubDivisionName>
          </xsl:if>
          <xsl:if test="state">
            <CountrySubDivisionCode><xsl:value-of select="state"/></CountrySubDivisionCode>
          </xsl:if>
          <xsl:if test="$countryCode != ''">
            <CountryCode><xsl:value-of select="$countryCode"/></CountryCode>
          </xsl:if>
          <xsl:if test="postalCode">
            <PostalCode><xsl:value-of select="postalCode"/></PostalCode>
          </xsl:if>
        </Address>
      </Location>
    </xsl:if>
    <xsl:if test="normalize-space(phone) != '' or normalize-space(fax) != '' or normalize-space(email) != ''">
      <Contact>
        <xsl:if test="normalize-space(phone) != ''">
          <TelephoneCommunication>
            <FormattedNumber><xsl:value-of select="normalize-space(phone)"/></FormattedNumber>
          </TelephoneCommunication>
        </xsl:if>
        <xsl:if test="normalize-space(fax) != ''">
          <TelephoneCommunication>
            <ChannelCode>Fax</ChannelCode>
            <FormattedNumber><xsl:value-of select="normalize-space(fax)"/></FormattedNumber>
          </TelephoneCommunication>
        </xsl:if>
        <xsl:if test="normalize-space(email) != ''">
          <EMailAddressCommunication>
            <URI><xsl:value-of select="normalize-space(email)"/></URI>
          </EMailAddressCommunication>
        </xsl:if>
      </Contact>
    </xsl:if>
  </xsl:template>

</xsl:stylesheet>
