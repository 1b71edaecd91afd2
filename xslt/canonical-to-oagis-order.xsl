<?xml version="1.0" encoding="UTF-8"?>
<!--
  canonical-to-oagis-order.xsl: enriched canonical order -> OAGIS 10.4
  ProcessPurchaseOrder (the purchase order forwarded to the supplier). The
  output validates against xslt/schemas/oagis-10.4/ProcessPurchaseOrder.xsd.
  Values are printed as the canonical order holds them (already normalised
  by the engine); number() is never used.

  Parameters (all strings; the engine passes every one):
    payloadID       ApplicationArea/BODID of the new document (required)
    timestamp       ApplicationArea/CreationDateTime, ISO 8601 (required)
    senderDomain    Sender/LogicalID/@schemeAgencyID (required; not written
                    when it is "LogicalID", the plain OAGIS meaning)
    senderIdentity  Sender/LogicalID (required)
    userAgent       Sender/ComponentID (default "ordergate")

  Mapping (oagis-to-canonical.xsl reads every element written here back
  into the same canonical field):
    source/@mode test        root @systemEnvironmentCode Test, else Production
    to                       Receiver/LogicalID and SupplierParty/ID
                             (@schemeAgencyID = domain, left out when it is
                             the default the map assumes: "LogicalID" on
                             LogicalID, "SupplierID" on SupplierParty/ID)
    from                     BuyerParty/ID (@schemeAgencyID = domain, left
                             out when it is "BuyerID")
    type                     Process/ActionCriteria/ActionExpression/@actionCode:
                             new Add, update Change, delete Delete
    orderType                PurchaseOrder/@typeCode (left out for regular)
    orderID, orderVersion    PurchaseOrderHeader/ID, RevisionID
    orderDate                DocumentDateTime
    comments                 Note (@typeCode, @languageCode)
    previousPayloadID        DocumentReference typeCode="PreviousBOD"/ID
    parties                  first shipTo -> ShipToParty, first billTo ->
                             BillToParty, every other party -> Party @role
    summary/subtotal         ExtendedAmount (the computed sum of the lines)
    summary/total            TotalAmount (OAGIS: including charges and taxes;
                             computed, never the buyer's stated total)
    summary/accepted         instead of the two above when the decision
                             rejected lines: those lines are not ordered
                             (no PurchaseOrderLine), the figures are the rest's
    paymentTerms             PaymentTerm/Description
    tax                      Tax (Description, Amount)
    shipping                 Charge typeCode="Shipping" (Description, Amount)
    discount                 Allowance typeCode="Discount" (Description, Amount)
    contacts                 BuyerParty/Contact: PersonName/FormattedName,
                             RoleCode, TelephoneCommunication/FormattedNumber,
                             EMailAddressCommunication/URI
    requisitionID            RequisitionReference/ID
    OAGIS 10.4 has no header element for these; they go into typed
    PurchaseOrderHeader/Extension elements (Extension/@typeCode):
    requestedDeliveryDate    RequiredDeliveryDateTime: DateTime typeCode=
                             "RequiredDeliveryDateTime"
    payment pcard            PCard: ID (number), Name (name), Text
                             typeCode="expiration"
    payment reference        PaymentReference: Amount, Code typeCode="method" |
                             "provider", ID @schemeID=domain (identifier)
    extrinsic                Extrinsic: Name, ValueText (one Extension each)
  party -> ID (@addressID), Name, Location/Address (AttentionOfName per
    deliverTo, AddressLine per street, CityName, CitySubDivisionName,
    CountrySubDivisionCode, CountryCode = country/@code or @isoCountryCode,
    PostalCode), Contact (TelephoneCommunication/FormattedNumber for phone,
    the same with ChannelCode Fax for fax, EMailAddressCommunication/URI).
  line -> PurchaseOrderLine: LineNumberID, Note (comments), Item (ID and
    SupplierItemIdentification/ID = supplierPartID when not empty,
    CustomerItemIdentification/ID = buyerPartID,
    ManufacturerItemIdentification/ID, one Description per line of the
    description text with @languageCode, Classification (UNSPSC ->
    UNSPSCCode, other domains -> Codes/Code @listID=domain),
    ManufacturingParty/Name, Extension typeCode="SupplierPartAuxiliaryID"/Text),
    Quantity @unitCode, UnitPrice/ChargeAmount, ExtendedAmount (= amount),
    RequiredDeliveryDateTime, ShipToParty, DistributeCharge typeCode=
    "Shipping" (line shipping), Tax, Extension typeCode="Distribution"
    (Amount = charge, Code typeCode=segment type per segment id, Name =
    accounting name, Text typeCode=segment type per segment description),
    Extension typeCode="Extrinsic".

  Known losses: country names (OAGIS Address has codes only); the party
  @isoCountryCode when the party also has a country; a supplierPartAuxiliaryID
  holding markup is written as its serialised text; warning and decision
  are not part of a purchase order.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns="http://www.openapplications.org/oagis/10">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
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
    <xsl:if test="not(contains(' new update delete ', concat(' ', normalize-space(order/type), ' ')))">
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('cannot write an OAGIS ProcessPurchaseOrder: /order/type &quot;', order/type, '&quot; is not new, update or delete')"/>
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
    <ProcessPurchaseOrder releaseID="10.4">
      <xsl:attribute name="systemEnvironmentCode">
        <xsl:choose>
          <xsl:when test="source/@mode = 'test'">Test</xsl:when>
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
          <xsl:call-template name="id">
            <xsl:with-param name="element" select="'LogicalID'"/>
            <xsl:with-param name="domain" select="to/@domain[. != 'LogicalID']"/>
            <xsl:with-param name="value" select="to/@identity"/>
          </xsl:call-template>
        </Receiver>
        <CreationDateTime><xsl:value-of select="$timestamp"/></CreationDateTime>
        <BODID><xsl:value-of select="$payloadID"/></BODID>
      </ApplicationArea>
      <DataArea>
        <Process>
          <ActionCriteria>
            <ActionExpression>
              <xsl:attribute name="actionCode">
                <xsl:choose>
                  <xsl:when test="normalize-space(type) = 'update'">Change</xsl:when>
                  <xsl:when test="normalize-space(type) = 'delete'">Delete</xsl:when>
                  <xsl:otherwise>Add</xsl:otherwise>
                </xsl:choose>
              </xsl:attribute>
              <xsl:text>/ProcessPurchaseOrder/DataArea/PurchaseOrder</xsl:text>
            </ActionExpression>
          </ActionCriteria>
        </Process>
        <PurchaseOrder>
          <xsl:if test="normalize-space(orderType) != 'regular'">
            <xsl:attribute name="typeCode"><xsl:value-of select="normalize-space(orderType)"/></xsl:attribute>
          </xsl:if>
          <xsl:call-template name="header"/>
          <xsl:apply-templates select="lines/line[not(key('rejected-line', number(@number)))]"/>
        </PurchaseOrder>
      </DataArea>
    </ProcessPurchaseOrder>
  </xsl:template>

  <!-- PurchaseOrderHeader, children in XSD order -->
  <xsl:template name="header">
    <xsl:variable name="shipTo" select="parties/party[@role = 'shipTo'][1]"/>
    <xsl:variable name="billTo" select="parties/party[@role = 'billTo'][1]"/>
    <PurchaseOrderHeader>
      <ID><xsl:value-of select="poNumber | orderID[not(../poNumber)]"/></ID>
      <xsl:if test="orderVersion">
        <RevisionID><xsl:value-of select="orderVersion"/></RevisionID>
      </xsl:if>
      <DocumentDateTime><xsl:value-of select="orderDate"/></DocumentDateTime>
      <xsl:apply-templates select="comments/comment"/>
      <xsl:if test="previousPayloadID">
        <DocumentReference typeCode="PreviousBOD">
          <ID><xsl:value-of select="previousPayloadID"/></ID>
        </DocumentReference>
      </xsl:if>
      <!-- with a PO number of ours, the buyer's order number travels along -->
      <xsl:if test="poNumber">
        <DocumentReference typeCode="CustomerOrder">
          <ID><xsl:value-of select="orderID"/></ID>
        </DocumentReference>
      </xsl:if>
      <xsl:for-each select="parties/party[count(. | $shipTo) != count($shipTo) and count(. | $billTo) != count($billTo)]">
        <Party role="{@role}">
          <xsl:call-template name="party"/>
        </Party>
      </xsl:for-each>
      <SupplierParty>
        <xsl:call-template name="id">
          <xsl:with-param name="element" select="'ID'"/>
          <xsl:with-param name="domain" select="to/@domain[. != 'SupplierID']"/>
          <xsl:with-param name="value" select="to/@identity"/>
        </xsl:call-template>
      </SupplierParty>
      <xsl:for-each select="$shipTo">
        <ShipToParty><xsl:call-template name="party"/></ShipToParty>
      </xsl:for-each>
      <ExtendedAmount currencyCode="{$cur}"><xsl:value-of select="$sums/subtotal"/></ExtendedAmount>
      <TotalAmount currencyCode="{$cur}"><xsl:value-of select="$sums/total"/></TotalAmount>
      <xsl:for-each select="$billTo">
        <BillToParty><xsl:call-template name="party"/></BillToParty>
      </xsl:for-each>
      <xsl:if test="normalize-space(paymentTerms) != ''">
        <PaymentTerm>
          <Description><xsl:value-of select="paymentTerms"/></Description>
        </PaymentTerm>
      </xsl:if>
      <xsl:apply-templates select="tax" mode="charge">
        <xsl:with-param name="element" select="'Tax'"/>
      </xsl:apply-templates>
      <xsl:apply-templates select="shipping" mode="charge">
        <xsl:with-param name="element" select="'Charge'"/>
        <xsl:with-param name="typeCode" select="'Shipping'"/>
      </xsl:apply-templates>
      <xsl:apply-templates select="discount" mode="charge">
        <xsl:with-param name="element" select="'Allowance'"/>
        <xsl:with-param name="typeCode" select="'Discount'"/>
      </xsl:apply-templates>
      <BuyerParty>
        <xsl:call-template name="id">
          <xsl:with-param name="element" select="'ID'"/>
          <xsl:with-param name="domain" select="from/@domain[. != 'BuyerID']"/>
          <xsl:with-param name="value" select="from/@identity"/>
        </xsl:call-template>
        <xsl:apply-templates select="contacts/contact"/>
      </BuyerParty>
      <xsl:if test="requisitionID">
        <RequisitionReference>
          <ID><xsl:value-of select="requisitionID"/></ID>
        </RequisitionReference>
      </xsl:if>
      <xsl:if test="requestedDeliveryDate">
        <Extension typeCode="RequiredDeliveryDateTime">
          <DateTime typeCode="RequiredDeliveryDateTime">
            <xsl:value-of select="requestedDeliveryDate"/>
          </DateTime>
        </Extension>
      </xsl:if>
      <xsl:apply-templates select="payment/pcard | payment/reference"/>
      <xsl:apply-templates select="extrinsics/extrinsic"/>
    </PurchaseOrderHeader>
  </xsl:template>

  <!-- ================================================================ -->
  <!-- PurchaseOrderLine                                                -->
  <!-- ================================================================ -->

  <xsl:template match="line">
    <PurchaseOrderLine>
      <LineNumberID><xsl:value-of select="@number"/></LineNumberID>
      <xsl:apply-templates select="comments/comment"/>
      <Item>
        <xsl:if test="normalize-space(supplierPartID) != ''">
          <ID><xsl:value-of select="supplierPartID"/></ID>
        </xsl:if>
        <xsl:if test="buyerPartID">
          <CustomerItemIdentification>
            <ID><xsl:value-of select="buyerPartID"/></ID>
          </CustomerItemIdentification>
        </xsl:if>
        <xsl:if test="manufacturerPartID">
          <ManufacturerItemIdentification>
            <ID><xsl:value-of select="manufacturerPartID"/></ID>
          </ManufacturerItemIdentification>
        </xsl:if>
        <xsl:if test="normalize-space(supplierPartID) != ''">
          <SupplierItemIdentification>
            <ID><xsl:value-of select="supplierPartID"/></ID>
          </SupplierItemIdentification>
        </xsl:if>
        <xsl:call-template name="descriptions">
          <xsl:with-param name="s" select="string(description)"/>
          <xsl:with-param name="lang" select="normalize-space(description/@lang)"/>
        </xsl:call-template>
        <xsl:for-each select="classification">
          <Classification>
            <xsl:choose>
              <xsl:when test="@domain = 'UNSPSC'">
                <UNSPSCCode><xsl:value-of select="."/></UNSPSCCode>
              </xsl:when>
              <xsl:otherwise>
                <Codes>
                  <Code listID="{@domain}"><xsl:value-of select="."/></Code>
                </Codes>
              </xsl:otherwise>
            </xsl:choose>
          </Classification>
        </xsl:for-each>
        <xsl:if test="manufacturerName">
          <ManufacturingParty>
            <Name><xsl:value-of select="manufacturerName"/></Name>
          </ManufacturingParty>
        </xsl:if>
        <xsl:for-each select="supplierPartAuxiliaryID">
          <Extension typeCode="SupplierPartAuxiliaryID">
            <Text>
              <xsl:choose>
                <xsl:when test="*">
                  <xsl:apply-templates select="node()" mode="serialise"/>
                </xsl:when>
                <xsl:otherwise><xsl:value-of select="."/></xsl:otherwise>
              </xsl:choose>
            </Text>
          </Extension>
        </xsl:for-each>
      </Item>
      <Quantity unitCode="{unitOfMeasure}"><xsl:value-of select="quantity"/></Quantity>
      <UnitPrice>
        <ChargeAmount currencyCode="{$cur}"><xsl:value-of select="unitPrice"/></ChargeAmount>
      </UnitPrice>
      <ExtendedAmount currencyCode="{$cur}"><xsl:value-of select="amount"/></ExtendedAmount>
      <xsl:if test="requestedDeliveryDate">
        <RequiredDeliveryDateTime><xsl:value-of select="requestedDeliveryDate"/></RequiredDeliveryDateTime>
      </xsl:if>
      <xsl:for-each select="shipTo">
        <ShipToParty><xsl:call-template name="party"/></ShipToParty>
      </xsl:for-each>
      <xsl:apply-templates select="shipping" mode="charge">
        <xsl:with-param name="element" select="'DistributeCharge'"/>
        <xsl:with-param name="typeCode" select="'Shipping'"/>
      </xsl:apply-templates>
      <xsl:apply-templates select="tax" mode="charge">
        <xsl:with-param name="element" select="'Tax'"/>
      </xsl:apply-templates>
      <xsl:for-each select="distribution">
        <Extension typeCode="Distribution">
          <Amount currencyCode="{$cur}"><xsl:value-of select="charge"/></Amount>
          <xsl:for-each select="accounting/segment">
            <Code typeCode="{@type}"><xsl:value-of select="@id"/></Code>
          </xsl:for-each>
          <Name><xsl:value-of select="accounting/@name"/></Name>
          <xsl:for-each select="accounting/segment">
            <Text typeCode="{@type}"><xsl:value-of select="@description"/></Text>
          </xsl:for-each>
        </Extension>
      </xsl:for-each>
      <xsl:apply-templates select="extrinsics/extrinsic"/>
    </PurchaseOrderLine>
  </xsl:template>

  <!-- one Description per line of the description text -->
  <xsl:template name="descriptions">
    <xsl:param name="s"/>
    <xsl:param name="lang"/>
    <xsl:variable name="head">
      <xsl:choose>
        <xsl:when test="contains($s, '&#10;')"><xsl:value-of select="substring-before($s, '&#10;')"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:if test="normalize-space($head) != ''">
      <Description>
        <xsl:if test="$lang != ''">
          <xsl:attribute name="languageCode"><xsl:value-of select="$lang"/></xsl:attribute>
        </xsl:if>
        <xsl:value-of select="$head"/>
      </Description>
    </xsl:if>
    <xsl:if test="contains($s, '&#10;')">
      <xsl:call-template name="descriptions">
        <xsl:with-param name="s" select="substring-after($s, '&#10;')"/>
        <xsl:with-param name="lang" select="$lang"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <!-- ================================================================ -->
  <!-- shared pieces                                                    -->
  <!-- ================================================================ -->

  <!-- an identifier element with @schemeAgencyID = domain -->
  <xsl:template name="id">
    <xsl:param name="element"/>
    <xsl:param name="domain"/>
    <xsl:param name="value"/>
    <xsl:element name="{$element}">
      <xsl:if test="normalize-space($domain) != ''">
        <xsl:attribute name="schemeAgencyID"><xsl:value-of select="$domain"/></xsl:attribute>
      </xsl:if>
      <xsl:value-of select="$value"/>
    </xsl:element>
  </xsl:template>

  <!-- charge (amount, description?) -> Tax / Charge / Allowance / DistributeCharge -->
  <xsl:template match="*" mode="charge">
    <xsl:param name="element"/>
    <xsl:param name="typeCode" select="''"/>
    <xsl:element name="{$element}">
      <xsl:if test="$typeCode != ''">
        <xsl:attribute name="typeCode"><xsl:value-of select="$typeCode"/></xsl:attribute>
      </xsl:if>
      <xsl:if test="description">
        <Description><xsl:value-of select="description"/></Description>
      </xsl:if>
      <Amount currencyCode="{$cur}"><xsl:value-of select="amount"/></Amount>
    </xsl:element>
  </xsl:template>

  <!-- party or line shipTo (context node) -> party content -->
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
            <FormattedNumber><xsl:value-of select="phone"/></FormattedNumber>
          </TelephoneCommunication>
        </xsl:if>
        <xsl:if test="normalize-space(fax) != ''">
          <TelephoneCommunication>
            <ChannelCode>Fax</ChannelCode>
            <FormattedNumber><xsl:value-of select="fax"/></FormattedNumber>
          </TelephoneCommunication>
        </xsl:if>
        <xsl:if test="normalize-space(email) != ''">
          <EMailAddressCommunication>
            <URI><xsl:value-of select="email"/></URI>
          </EMailAddressCommunication>
        </xsl:if>
      </Contact>
    </xsl:if>
  </xsl:template>

  <xsl:template match="contact">
    <Contact>
      <PersonName>
        <FormattedName><xsl:value-of select="name"/></FormattedName>
      </PersonName>
      <xsl:if test="normalize-space(@role) != ''">
        <RoleCode><xsl:value-of select="@role"/></RoleCode>
      </xsl:if>
      <xsl:for-each select="phone">
        <TelephoneCommunication>
          <FormattedNumber><xsl:value-of select="."/></FormattedNumber>
        </TelephoneCommunication>
      </xsl:for-each>
      <xsl:for-each select="email">
        <EMailAddressCommunication>
          <URI><xsl:value-of select="."/></URI>
        </EMailAddressCommunication>
      </xsl:for-each>
    </Contact>
  </xsl:template>

  <xsl:template match="comment">
    <Note>
      <xsl:if test="normalize-space(@type) != ''">
        <xsl:attribute name="typeCode"><xsl:value-of select="@type"/></xsl:attribute>
      </xsl:if>
      <xsl:if test="normalize-space(@lang) != ''">
        <xsl:attribute name="languageCode"><xsl:value-of select="@lang"/></xsl:attribute>
      </xsl:if>
      <xsl:value-of select="."/>
    </Note>
  </xsl:template>

  <xsl:template match="extrinsic">
    <Extension typeCode="Extrinsic">
      <Name><xsl:value-of select="@name"/></Name>
      <ValueText><xsl:value-of select="."/></ValueText>
    </Extension>
  </xsl:template>

  <xsl:template match="pcard">
    <Extension typeCode="PCard">
      <ID><xsl:value-of select="@number"/></ID>
      <xsl:if test="@name">
        <Name><xsl:value-of select="@name"/></Name>
      </xsl:if>
      <Text typeCode="expiration"><xsl:value-of select="@expiration"/></Text>
    </Extension>
  </xsl:template>

  <xsl:template match="reference">
    <Extension typeCode="PaymentReference">
      <xsl:if test="amount">
        <Amount currencyCode="{$cur}"><xsl:value-of select="amount"/></Amount>
      </xsl:if>
      <xsl:if test="@method">
        <Code typeCode="method"><xsl:value-of select="@method"/></Code>
      </xsl:if>
      <xsl:if test="@provider">
        <Code typeCode="provider"><xsl:value-of select="@provider"/></Code>
      </xsl:if>
      <xsl:for-each select="id">
        <ID schemeID="{@domain}"><xsl:value-of select="@identifier"/></ID>
      </xsl:for-each>
    </Extension>
  </xsl:template>

  <!-- markup inside supplierPartAuxiliaryID, written as text -->
  <xsl:template match="*" mode="serialise">
    <xsl:value-of select="concat('&lt;', name())"/>
    <xsl:for-each select="@*">
      <xsl:value-of select="concat(' ', name(), '=&quot;')"/>
      <xsl:call-template name="escape">
        <xsl:with-param name="s" select="."/>
        <xsl:with-param name="quote" select="true()"/>
      </xsl:call-template>
      <xsl:text>"</xsl:text>
    </xsl:for-each>
    <xsl:choose>
      <xsl:when test="node()">
        <xsl:text>&gt;</xsl:text>
        <xsl:apply-templates select="node()" mode="serialise"/>
        <xsl:value-of select="concat('&lt;/', name(), '&gt;')"/>
      </xsl:when>
      <xsl:otherwise>/&gt;</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="text()" mode="serialise">
    <xsl:call-template name="escape">
      <xsl:with-param name="s" select="."/>
      <xsl:with-param name="quote" select="false()"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="comment() | processing-instruction()" mode="serialise"/>

  <!-- & < > (and " in attribute values) as entity references -->
  <xsl:template name="escape">
    <xsl:param name="s"/>
    <xsl:param name="quote"/>
    <xsl:variable name="c" select="substring(translate($s, translate($s, '&amp;&lt;&gt;&quot;', ''), ''), 1, 1)"/>
    <xsl:choose>
      <xsl:when test="$c = ''">
        <xsl:value-of select="$s"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:variable name="before" select="substring-before($s, $c)"/>
        <xsl:value-of select="$before"/>
        <xsl:choose>
          <xsl:when test="$c = '&amp;'">&amp;amp;</xsl:when>
          <xsl:when test="$c = '&lt;'">&amp;lt;</xsl:when>
          <xsl:when test="$c = '&gt;'">&amp;gt;</xsl:when>
          <xsl:when test="$quote">&amp;quot;</xsl:when>
          <xsl:otherwise>&quot;</xsl:otherwise>
        </xsl:choose>
        <xsl:call-template name="escape">
          <xsl:with-param name="s" select="substring-after($s, $c)"/>
          <xsl:with-param name="quote" select="$quote"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

</xsl:stylesheet>
