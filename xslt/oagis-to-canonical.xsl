<?xml version="1.0" encoding="UTF-8"?>
<!--
  oagis-to-canonical.xsl: OAGIS ProcessPurchaseOrder BOD -> canonical order
  (docs/canonical.md).

  Accepted flavours: OAGIS 10.x, OAGIS 9.x and Infor's InforOAGIS. Elements
  are matched by local name; the namespaces accepted are listed once, in the
  variable oagisNamespaces below (one more flavour = one more entry).
  The document is first copied with the namespace of every element in an
  accepted namespace removed (an element in any other namespace keeps it
  and is therefore ignored), so a sender mixing a default namespace with an
  "oa:" prefix maps the same as one using a single default namespace.

  Like cxml-to-canonical.xsl, the map copies values as the partner wrote
  them: it trims identifiers, codes, numbers and dates and collapses the
  whitespace of names and free text, and never reformats dates or numbers.
  The engine (src/canon.c) normalises them afterwards and adds
  source/@documentID, source/@received, line amount, summary, warning and
  decision.

  Mapping (10.4 names first; the OAGIS 9 / Infor names in brackets)
    source/@formatVersion   root @releaseID
    source/@payloadID       ApplicationArea/BODID
    source/@timestamp       ApplicationArea/CreationDateTime
    source/@mode            "test" when root @systemEnvironmentCode is Test
                            (any case), else "production"
    sender                  ApplicationArea/Sender/LogicalID; domain = its
                            @schemeAgencyID, else "LogicalID"; userAgent =
                            Sender/ComponentID
    from                    BuyerParty/ID [BuyerParty/PartyIDs/ID], domain =
                            @schemeAgencyID, else "BuyerID"; BuyerParty/DUNSID
                            (domain "DUNS"); else the sender's LogicalID
    to                      SupplierParty/ID [PartyIDs/ID], domain =
                            @schemeAgencyID, else "SupplierID"; SupplierParty/
                            DUNSID (domain "DUNS"); else Receiver/LogicalID
                            (domain @schemeAgencyID, else "LogicalID")
    orderID                 PurchaseOrderHeader/ID [DocumentID/ID], else
                            DocumentIDSet/ID [DocumentIDs/DocumentID/ID]
    orderDate               DocumentDateTime, else OrderDateTime, else
                            ApplicationArea/CreationDateTime
    type                    Process/ActionCriteria/ActionExpression/@actionCode
                            (else PurchaseOrder/@actionCode), any case:
                            Add -> new; Change, Replace, UpSert -> update;
                            Delete -> delete; none -> new; anything else
                            stops the map
    orderType               PurchaseOrder/@typeCode, else "regular"
    orderVersion            RevisionID when it is all digits (otherwise it
                            becomes the extrinsic "RevisionID")
    previousPayloadID       DocumentReference[@typeCode="PreviousBOD"]/ID
    requisitionID           RequisitionReference/ID
    requestedDeliveryDate   header RequiredDeliveryDateTime, else
                            Extension/DateTime[@typeCode="RequiredDeliveryDateTime"]
    currency                @currencyCode [@currencyID] of TotalAmount, else of
                            ExtendedAmount, else of the first line unit price
    total                   TotalAmount
    shipping                the header Charge whose @typeCode is Freight,
                            Shipping, Shipment or Delivery (any case); else the
                            only Charge when it has no @typeCode. Any other
                            Charge with a nonzero amount stops the map
    tax                     header Tax (Amount [TaxAmount], Description)
    discount                the header Allowance or AmountDiscount with an amount
                            (Amount or DiscountAmount, Description)
                            (every charge, distribution and payment amount
                            keeps its @currencyCode [@currencyID] as
                            @currency: the engine refuses another currency
                            than the order's)
    parties                 ShipToParty (shipTo), BillToParty (billTo), then
                            Party (role = @role), CustomerParty (customer),
                            ShipFromParty (shipFrom), CarrierParty (carrier),
                            PayFromParty (payFrom)
    payment                 Extension[@typeCode="PCard"] (ID, Name,
                            Text[@typeCode="expiration"]) or
                            Extension[@typeCode="PaymentReference"] (Amount,
                            Code[@typeCode="method"|"provider"], ID/@schemeID)
    paymentTerms            PaymentTerm/Description (else
                            Payment/PaymentTerm/Description)
    contacts                BuyerParty Contact (role = RoleCode), BuyerContact
                            (buyer), RequesterContact (requester),
                            PlannerContact (planner), ReceivingContact
                            (receiving): PersonName/FormattedName (else Given
                            Middle Family), EMailAddressCommunication/URI,
                            TelephoneCommunication
    comments                header Description and Note (@typeCode -> type,
                            @languageCode [@languageID] -> lang)
    extrinsics              Extension[@typeCode="Extrinsic"] (Name, ValueText);
                            UserArea//NameValue (@name, text)
  party
    name                    Name, else Location/Name
    @addressID              Location/ID, else the party's ID
    deliverTo               Address/AttentionOfName, then the party's contact
                            names
    street                  Address/AddressLine [LineOne .. LineNine]; without
                            lines: BuildingNumber + StreetName, PostOfficeBox
    city, municipality      CityName, CitySubDivisionName
    state, postalCode       CountrySubDivisionCode, PostalCode
    country                 @code = CountryCode; no text (OAGIS has no name)
    email                   Contact/EMailAddressCommunication/URI (also
                            Communication with ChannelCode Email)
    phone, fax              TelephoneCommunication (ChannelCode Fax -> fax):
                            FormattedNumber, else "+CountryDialingCode
                            AreaDialingCode DialNumber x PhoneExtension"
  line (PurchaseOrderLine)
    @number                 LineNumberID [LineNumber], else the position
    quantity, unitOfMeasure the Quantity without @typeCode, else the typed
                            Quantity, else OrderQuantity the same way;
                            @unitCode. Several stating different quantities
                            stop the map (docs/maps.md, "Several quantities
                            on a line")
    supplierPartID          Item/SupplierItemIdentification/ID
                            [SupplierItemID/ID], else Item/ID [ItemID/ID],
                            else empty
    supplierPartAuxiliaryID Item/Extension[@typeCode="SupplierPartAuxiliaryID"]/Text,
                            byte for byte
    buyerPartID             Item/CustomerItemIdentification/ID [CustomerItemID/ID]
    description             Item/Description (several joined by a newline),
                            else the line's Description; lang = the first
                            one's @languageCode [@languageID]
    unitPrice               UnitPrice/ChargeAmount [UnitPrice/Amount], else
                            UnitPrice/UnitAmount; @currency from its currency.
                            A UnitPrice/BasisQuantity [PerQuantity] other than 1
                            stops the map
    statedAmount            ExtendedAmount (the engine compares it with
                            quantity x unit price: line-amount-mismatch)
    classification          Item/Classification/UNSPSCCode (domain UNSPSC),
                            Classification/Codes/Code (domain @listID, else
                            @typeCode, else "custom")
    manufacturerPartID      Item/ManufacturerItemIdentification/ID
                            [ManufacturerItemID/ID]
    manufacturerName        Item/ManufacturingParty/Name
    requestedDeliveryDate   RequiredDeliveryDateTime, else the first
                            PurchaseOrderSchedule/RequiredDeliveryDateTime,
                            else PromisedDeliveryDateTime
    shipTo                  the line's ShipToParty
    distribution            Extension[@typeCode="Distribution"]: Amount
                            (charge), Name (accounting name), Code (one per
                            segment: @typeCode type, text id), Text (the
                            segment descriptions, same order)
    shipping                DistributeCharge or Charge with a shipping
                            @typeCode (as for the header)
    tax                     Tax
    comments                Note, and the line's Description when the item
                            has its own
    extrinsics              as for the header, from the line's Extension
                            and UserArea

  Stops with a message (xsl:message terminate="yes") when the root is not a
  ProcessPurchaseOrder in an accepted namespace, when the DataArea does not
  carry exactly one PurchaseOrder with a PurchaseOrderHeader, an order number
  and at least one PurchaseOrderLine, on an unknown actionCode, on a price
  per more than one unit, on several header or line Tax elements or
  several shipping charges (their sum cannot be formed exactly in XSLT),
  and on any other header or line Charge (DistributeCharge) with an amount
  other than zero: the canonical order has no place for it, and money is
  never dropped (a zero charge is).

  Refused as well: more than one header Allowance / AmountDiscount with an
  amount other than zero, a line Allowance or AmountDiscount with one, and
  a line whose Quantity elements (see quantity above) state different
  quantities.

  Not mapped: Status, Party
  contacts other than names/e-mail/phone, PurchaseOrderSchedule (except its
  date), PurchaseOrderSubLine, FulfillmentTerm, TransportationTerm, Payment
  other than its PaymentTerm, ApplicationArea
  Intermediary/Signature/ScenarioID/CorrelationID, Extension content other
  than the typeCodes named above, the country names (OAGIS carries codes
  only).
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:exsl="http://exslt.org/common"
                exclude-result-prefixes="exsl">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
  <xsl:strip-space elements="*"/>
  <!-- lines before this document's first PurchaseOrderLine: set when a
       large order is mapped in chunks of lines (docs/performance.md) -->
  <xsl:param name="lineOffset" select="0"/>

  <!-- ================================================================ -->
  <!-- the accepted OAGIS namespaces: one URI per entry, space separated -->
  <!-- ================================================================ -->
  <xsl:variable name="oagisNamespaces" select="concat(' ',
      'http://www.openapplications.org/oagis/10', ' ',
      'http://www.openapplications.org/oagis/9', ' ',
      'http://schema.infor.com/InforOAGIS/2', ' ')"/>

  <xsl:variable name="ws" select="'&#9;&#10;&#13; '"/>
  <xsl:variable name="upper" select="'ABCDEFGHIJKLMNOPQRSTUVWXYZ'"/>
  <xsl:variable name="lower" select="'abcdefghijklmnopqrstuvwxyz'"/>
  <!-- charge typeCodes taken as shipping, lower case, |-delimited -->
  <xsl:variable name="shippingCodes" select="'|freight|shipping|shipment|delivery|'"/>

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
    <xsl:variable name="accepted"
                  select="contains($oagisNamespaces, concat(' ', namespace-uri($root), ' '))"/>
    <xsl:choose>
      <xsl:when test="local-name($root) = 'ProcessPurchaseOrder' and $accepted">
        <xsl:variable name="plain">
          <xsl:apply-templates select="$root" mode="plain"/>
        </xsl:variable>
        <xsl:apply-templates select="exsl:node-set($plain)/ProcessPurchaseOrder"/>
      </xsl:when>
      <xsl:when test="local-name($root) = 'ProcessPurchaseOrder'">
        <xsl:message terminate="yes">
          <xsl:value-of select="concat('not an OAGIS ProcessPurchaseOrder: root is ', $rootName,
                                       '; accepted OAGIS namespaces: ', normalize-space($oagisNamespaces))"/>
        </xsl:message>
      </xsl:when>
      <xsl:when test="$accepted">
        <xsl:message terminate="yes">
          <xsl:value-of select="concat('not an OAGIS ProcessPurchaseOrder: the BOD is ',
                                       local-name($root), ' (', namespace-uri($root), ')')"/>
        </xsl:message>
      </xsl:when>
      <xsl:otherwise>
        <xsl:message terminate="yes">
          <xsl:value-of select="concat('not an OAGIS ProcessPurchaseOrder: root is ', $rootName)"/>
        </xsl:message>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- copy without the OAGIS namespaces; comments and PIs dropped -->
  <xsl:template match="*" mode="plain">
    <xsl:choose>
      <xsl:when test="contains($oagisNamespaces, concat(' ', namespace-uri(), ' '))">
        <xsl:element name="{local-name()}">
          <xsl:apply-templates select="@*" mode="plain"/>
          <xsl:apply-templates select="node()" mode="plain"/>
        </xsl:element>
      </xsl:when>
      <xsl:otherwise>
        <xsl:element name="{name()}" namespace="{namespace-uri()}">
          <xsl:apply-templates select="@*" mode="plain"/>
          <xsl:apply-templates select="node()" mode="plain"/>
        </xsl:element>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="@*" mode="plain">
    <xsl:choose>
      <xsl:when test="namespace-uri() = ''">
        <xsl:attribute name="{local-name()}"><xsl:value-of select="."/></xsl:attribute>
      </xsl:when>
      <xsl:otherwise>
        <xsl:attribute name="{name()}" namespace="{namespace-uri()}">
          <xsl:value-of select="."/>
        </xsl:attribute>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="text()" mode="plain">
    <xsl:value-of select="."/>
  </xsl:template>

  <xsl:template match="comment() | processing-instruction()" mode="plain"/>

  <!-- ================================================================ -->
  <!-- order                                                            -->
  <!-- ================================================================ -->

  <xsl:template match="ProcessPurchaseOrder">
    <xsl:variable name="aa" select="ApplicationArea"/>
    <xsl:variable name="po" select="DataArea/PurchaseOrder"/>
    <xsl:variable name="hdr" select="$po/PurchaseOrderHeader"/>
    <xsl:variable name="lines" select="$po/PurchaseOrderLine"/>

    <!-- structure checks -->
    <xsl:if test="count($po) != 1">
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('OAGIS ProcessPurchaseOrder: DataArea carries ', count($po),
                                     ' PurchaseOrder elements; exactly one is supported')"/>
      </xsl:message>
    </xsl:if>
    <xsl:if test="not($hdr)">
      <xsl:message terminate="yes">OAGIS ProcessPurchaseOrder: /ProcessPurchaseOrder/DataArea/PurchaseOrder has no PurchaseOrderHeader</xsl:message>
    </xsl:if>
    <xsl:if test="not($lines)">
      <xsl:message terminate="yes">OAGIS ProcessPurchaseOrder: /ProcessPurchaseOrder/DataArea/PurchaseOrder has no PurchaseOrderLine</xsl:message>
    </xsl:if>

    <xsl:variable name="orderIDNode"
                  select="($hdr/ID | $hdr/DocumentID/ID)[normalize-space() != ''][1]
                          | ($hdr/DocumentIDSet/ID | $hdr/DocumentIDs/DocumentID/ID)[normalize-space() != '']
                            [not(($hdr/ID | $hdr/DocumentID/ID)[normalize-space() != ''])][1]"/>
    <xsl:if test="not($orderIDNode)">
      <xsl:message terminate="yes">OAGIS ProcessPurchaseOrder: PurchaseOrderHeader has no ID (the order number)</xsl:message>
    </xsl:if>

    <!-- ActionExpression/@actionCode -> type -->
    <xsl:variable name="actionRaw"
                  select="(DataArea/Process/ActionCriteria/ActionExpression/@actionCode[normalize-space() != '']
                           | $po/@actionCode[normalize-space() != ''])[1]"/>
    <xsl:variable name="action" select="translate(normalize-space($actionRaw), $upper, $lower)"/>
    <xsl:variable name="type">
      <xsl:choose>
        <xsl:when test="$action = '' or $action = 'add'">new</xsl:when>
        <xsl:when test="$action = 'change' or $action = 'replace' or $action = 'upsert'">update</xsl:when>
        <xsl:when test="$action = 'delete'">delete</xsl:when>
      </xsl:choose>
    </xsl:variable>
    <xsl:if test="$type = ''">
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('OAGIS ProcessPurchaseOrder: actionCode &quot;', normalize-space($actionRaw),
                                     '&quot; is not Add, Change, Replace, UpSert or Delete')"/>
      </xsl:message>
    </xsl:if>

    <xsl:call-template name="check-single">
      <xsl:with-param name="nodes" select="$hdr/Tax"/>
      <xsl:with-param name="what" select="'PurchaseOrderHeader has several Tax elements'"/>
    </xsl:call-template>

    <xsl:variable name="sender" select="$aa/Sender/LogicalID"/>
    <xsl:variable name="buyer" select="$hdr/BuyerParty"/>
    <xsl:variable name="buyerID"
                  select="($buyer/ID | $buyer/PartyIDs/ID)[normalize-space() != ''][1]"/>
    <xsl:variable name="supplier" select="$hdr/SupplierParty"/>
    <xsl:variable name="supplierID"
                  select="($supplier/ID | $supplier/PartyIDs/ID)[normalize-space() != ''][1]"/>

    <order version="1">

      <source format="oagis">
        <xsl:if test="normalize-space(@releaseID) != ''">
          <xsl:attribute name="formatVersion">
            <xsl:value-of select="normalize-space(@releaseID)"/>
          </xsl:attribute>
        </xsl:if>
        <xsl:attribute name="documentType">ProcessPurchaseOrder</xsl:attribute>
        <xsl:attribute name="payloadID">
          <xsl:call-template name="trim">
            <xsl:with-param name="s" select="$aa/BODID"/>
          </xsl:call-template>
        </xsl:attribute>
        <xsl:if test="normalize-space($aa/CreationDateTime) != ''">
          <xsl:attribute name="timestamp">
            <xsl:value-of select="normalize-space($aa/CreationDateTime)"/>
          </xsl:attribute>
        </xsl:if>
        <xsl:attribute name="mode">
          <xsl:choose>
            <xsl:when test="translate(normalize-space(@systemEnvironmentCode), $upper, $lower) = 'test'">test</xsl:when>
            <xsl:otherwise>production</xsl:otherwise>
          </xsl:choose>
        </xsl:attribute>
      </source>

      <sender>
        <xsl:call-template name="id-attrs">
          <xsl:with-param name="id" select="$sender"/>
          <xsl:with-param name="default" select="'LogicalID'"/>
        </xsl:call-template>
        <xsl:if test="normalize-space($aa/Sender/ComponentID) != ''">
          <xsl:attribute name="userAgent">
            <xsl:value-of select="normalize-space($aa/Sender/ComponentID)"/>
          </xsl:attribute>
        </xsl:if>
      </sender>

      <from>
        <xsl:choose>
          <xsl:when test="$buyerID">
            <xsl:call-template name="id-attrs">
              <xsl:with-param name="id" select="$buyerID"/>
              <xsl:with-param name="default" select="'BuyerID'"/>
            </xsl:call-template>
          </xsl:when>
          <xsl:when test="normalize-space($buyer/DUNSID) != ''">
            <xsl:call-template name="id-attrs">
              <xsl:with-param name="id" select="$buyer/DUNSID"/>
              <xsl:with-param name="default" select="'DUNS'"/>
            </xsl:call-template>
          </xsl:when>
          <xsl:otherwise>
            <xsl:call-template name="id-attrs">
              <xsl:with-param name="id" select="$sender"/>
              <xsl:with-param name="default" select="'LogicalID'"/>
            </xsl:call-template>
          </xsl:otherwise>
        </xsl:choose>
      </from>

      <to>
        <xsl:choose>
          <xsl:when test="$supplierID">
            <xsl:call-template name="id-attrs">
              <xsl:with-param name="id" select="$supplierID"/>
              <xsl:with-param name="default" select="'SupplierID'"/>
            </xsl:call-template>
          </xsl:when>
          <xsl:when test="normalize-space($supplier/DUNSID) != ''">
            <xsl:call-template name="id-attrs">
              <xsl:with-param name="id" select="$supplier/DUNSID"/>
              <xsl:with-param name="default" select="'DUNS'"/>
            </xsl:call-template>
          </xsl:when>
          <xsl:otherwise>
            <xsl:call-template name="id-attrs">
              <xsl:with-param name="id" select="$aa/Receiver[LogicalID][1]/LogicalID"/>
              <xsl:with-param name="default" select="'LogicalID'"/>
            </xsl:call-template>
          </xsl:otherwise>
        </xsl:choose>
      </to>

      <orderID>
        <xsl:call-template name="trim">
          <xsl:with-param name="s" select="$orderIDNode"/>
        </xsl:call-template>
      </orderID>

      <orderDate>
        <xsl:choose>
          <xsl:when test="normalize-space($hdr/DocumentDateTime) != ''">
            <xsl:value-of select="normalize-space($hdr/DocumentDateTime)"/>
          </xsl:when>
          <xsl:when test="normalize-space($hdr/OrderDateTime) != ''">
            <xsl:value-of select="normalize-space($hdr/OrderDateTime)"/>
          </xsl:when>
          <xsl:otherwise>
            <xsl:value-of select="normalize-space($aa/CreationDateTime)"/>
          </xsl:otherwise>
        </xsl:choose>
      </orderDate>
      <type><xsl:value-of select="$type"/></type>
      <orderType>
        <xsl:choose>
          <xsl:when test="normalize-space($po/@typeCode) != ''">
            <xsl:value-of select="normalize-space($po/@typeCode)"/>
          </xsl:when>
          <xsl:otherwise>regular</xsl:otherwise>
        </xsl:choose>
      </orderType>

      <xsl:variable name="rev" select="normalize-space($hdr/RevisionID)"/>
      <xsl:if test="$rev != '' and translate($rev, '0123456789', '') = ''">
        <orderVersion><xsl:value-of select="$rev"/></orderVersion>
      </xsl:if>

      <xsl:for-each select="$hdr/DocumentReference[@typeCode = 'PreviousBOD']/ID[normalize-space() != ''][1]">
        <previousPayloadID>
          <xsl:call-template name="trim">
            <xsl:with-param name="s" select="."/>
          </xsl:call-template>
        </previousPayloadID>
      </xsl:for-each>

      <xsl:for-each select="($hdr/RequisitionReference/ID | $hdr/RequisitionReference/DocumentID/ID)[normalize-space() != ''][1]">
        <requisitionID>
          <xsl:call-template name="trim">
            <xsl:with-param name="s" select="."/>
          </xsl:call-template>
        </requisitionID>
      </xsl:for-each>

      <xsl:for-each select="($hdr/RequiredDeliveryDateTime
                             | $hdr/Extension/DateTime[@typeCode = 'RequiredDeliveryDateTime'])[normalize-space() != ''][1]">
        <requestedDeliveryDate><xsl:value-of select="normalize-space(.)"/></requestedDeliveryDate>
      </xsl:for-each>

      <!-- currency: header amounts first, then the line prices -->
      <xsl:variable name="curAttr"
                    select="($hdr/TotalAmount/@currencyCode | $hdr/TotalAmount/@currencyID)[normalize-space() != '']
                            | ($hdr/ExtendedAmount/@currencyCode | $hdr/ExtendedAmount/@currencyID)[normalize-space() != '']
                            | ($lines/UnitPrice/*/@currencyCode | $lines/UnitPrice/*/@currencyID)[normalize-space() != '']"/>
      <xsl:variable name="curFirst"
                    select="(($hdr/TotalAmount/@currencyCode | $hdr/TotalAmount/@currencyID)[normalize-space() != '']
                             | ($hdr/ExtendedAmount/@currencyCode | $hdr/ExtendedAmount/@currencyID)[normalize-space() != ''])[1]"/>
      <currency>
        <xsl:choose>
          <xsl:when test="$curFirst"><xsl:value-of select="normalize-space($curFirst)"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="normalize-space($curAttr[1])"/></xsl:otherwise>
        </xsl:choose>
      </currency>

      <xsl:if test="normalize-space($hdr/TotalAmount) != ''">
        <total><xsl:value-of select="normalize-space($hdr/TotalAmount)"/></total>
      </xsl:if>

      <xsl:call-template name="shipping-charge">
        <xsl:with-param name="charges" select="$hdr/Charge"/>
        <xsl:with-param name="where" select="'PurchaseOrderHeader'"/>
      </xsl:call-template>
      <xsl:apply-templates select="$hdr/Tax[1]" mode="charge">
        <xsl:with-param name="name" select="'tax'"/>
      </xsl:apply-templates>
      <xsl:call-template name="discount">
        <xsl:with-param name="discounts" select="$hdr/Allowance | $hdr/AmountDiscount"/>
        <xsl:with-param name="where" select="'PurchaseOrderHeader'"/>
      </xsl:call-template>

      <parties>
        <xsl:apply-templates select="$hdr/ShipToParty[1]" mode="party">
          <xsl:with-param name="role" select="'shipTo'"/>
        </xsl:apply-templates>
        <xsl:apply-templates select="$hdr/BillToParty[1]" mode="party">
          <xsl:with-param name="role" select="'billTo'"/>
        </xsl:apply-templates>
        <xsl:for-each select="$hdr/Party[normalize-space(@role) != '']">
          <xsl:apply-templates select="." mode="party">
            <xsl:with-param name="role" select="normalize-space(@role)"/>
          </xsl:apply-templates>
        </xsl:for-each>
        <xsl:apply-templates select="$hdr/CustomerParty" mode="party">
          <xsl:with-param name="role" select="'customer'"/>
        </xsl:apply-templates>
        <xsl:apply-templates select="$hdr/ShipFromParty" mode="party">
          <xsl:with-param name="role" select="'shipFrom'"/>
        </xsl:apply-templates>
        <xsl:apply-templates select="$hdr/CarrierParty" mode="party">
          <xsl:with-param name="role" select="'carrier'"/>
        </xsl:apply-templates>
        <xsl:apply-templates select="$hdr/PayFromParty" mode="party">
          <xsl:with-param name="role" select="'payFrom'"/>
        </xsl:apply-templates>
      </parties>

      <xsl:apply-templates select="$hdr/Extension[@typeCode = 'PCard' or @typeCode = 'PaymentReference'][1]"
                           mode="payment"/>

      <xsl:variable name="terms"
                    select="($hdr/PaymentTerm/Description | $hdr/PaymentTerms/Description
                             | $hdr/Payment/PaymentTerm/Description)[normalize-space() != ''][1]"/>
      <xsl:if test="$terms">
        <paymentTerms><xsl:value-of select="normalize-space($terms)"/></paymentTerms>
      </xsl:if>

      <contacts>
        <xsl:for-each select="$buyer/Contact | $buyer/BuyerContact | $buyer/RequesterContact
                              | $buyer/PlannerContact | $buyer/ReceivingContact">
          <xsl:call-template name="contact"/>
        </xsl:for-each>
      </contacts>

      <comments>
        <xsl:apply-templates select="$hdr/Description | $hdr/Note" mode="comment"/>
      </comments>

      <extrinsics>
        <xsl:if test="$rev != '' and translate($rev, '0123456789', '') != ''">
          <extrinsic name="RevisionID"><xsl:value-of select="$rev"/></extrinsic>
        </xsl:if>
        <xsl:call-template name="extrinsics">
          <xsl:with-param name="owner" select="$hdr"/>
        </xsl:call-template>
      </extrinsics>

      <lines>
        <xsl:apply-templates select="$lines"/>
      </lines>

      <!-- a Quantity with a typeCode beside the ordered one (a weight, a
           volume), or an OrderQuantity beside a Quantity, has no place in
           the canonical order: said, never dropped silently (once, naming
           no line, so the chunks of a large order agree) -->
      <xsl:if test="$lines[Quantity[normalize-space(@typeCode) = '']
                           and Quantity[normalize-space(@typeCode) != '']]">
        <warning code="not-carried">PurchaseOrderLine/Quantity with a typeCode beside the ordered Quantity: in the order, but ordergate carries it into neither the canonical order nor the outputs; if the supplier needs it, pass it on by other means</warning>
      </xsl:if>
      <xsl:if test="$lines[Quantity and OrderQuantity]">
        <warning code="not-carried">PurchaseOrderLine/OrderQuantity beside a Quantity (the Quantity is the ordered one): in the order, but ordergate carries it into neither the canonical order nor the outputs; if the supplier needs it, pass it on by other means</warning>
      </xsl:if>
    </order>
  </xsl:template>

  <!-- ================================================================ -->
  <!-- line                                                             -->
  <!-- ================================================================ -->

  <xsl:template match="PurchaseOrderLine">
    <xsl:variable name="item" select="Item"/>
    <!-- the ordered quantity: the Quantity without a typeCode (a typed one
         says itself what it counts); without one, the typed Quantity;
         without any Quantity, OrderQuantity the same way. Several of them
         stating different quantities are refused below: taking the first
         would ship the wrong goods (docs/maps.md, "Several quantities on
         a line") -->
    <xsl:variable name="untypedQ" select="Quantity[normalize-space(@typeCode) = '']"/>
    <xsl:variable name="untypedOQ" select="OrderQuantity[normalize-space(@typeCode) = '']"/>
    <xsl:variable name="qtys"
                  select="$untypedQ | Quantity[not($untypedQ)]
                          | $untypedOQ[not(../Quantity)]
                          | OrderQuantity[not(../Quantity)][not($untypedOQ)]"/>
    <xsl:variable name="qty" select="$qtys[1]"/>
    <xsl:variable name="price"
                  select="(UnitPrice/ChargeAmount | UnitPrice/Amount)[1]
                          | UnitPrice/UnitAmount[not(../ChargeAmount | ../Amount)]"/>
    <xsl:variable name="n">
      <xsl:choose>
        <xsl:when test="normalize-space(LineNumberID) != ''">
          <xsl:value-of select="normalize-space(LineNumberID)"/>
        </xsl:when>
        <xsl:when test="normalize-space(LineNumber) != ''">
          <xsl:value-of select="normalize-space(LineNumber)"/>
        </xsl:when>
        <xsl:otherwise>
          <!-- applied to $lines in document order: position() is the
               line's place, without counting its siblings -->
          <xsl:value-of select="position() + $lineOffset"/>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:variable>

    <xsl:variable name="basis" select="(UnitPrice/BasisQuantity | UnitPrice/PerQuantity)[normalize-space() != ''][1]"/>
    <xsl:if test="$basis and number($basis) != 1">
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('OAGIS ProcessPurchaseOrder: line ', $n, ': UnitPrice is for a ',
                                     local-name($basis), ' of ', normalize-space($basis),
                                     '; only prices per one unit are supported: ask the sender for the',
                                     ' price of one unit of measure, without a ', local-name($basis),
                                     ' (or with ', local-name($basis), ' 1)')"/>
      </xsl:message>
    </xsl:if>
    <xsl:call-template name="check-single">
      <xsl:with-param name="nodes" select="Tax"/>
      <xsl:with-param name="what" select="concat('line ', $n, ' has several Tax elements')"/>
    </xsl:call-template>
    <!-- the same quantity written twice (10 and 10.0 EA) is one statement -->
    <xsl:if test="$qtys[(normalize-space(.) != normalize-space($qty) and not(number(.) = number($qty)))
                        or translate(normalize-space(@unitCode), $lower, $upper)
                           != translate(normalize-space($qty/@unitCode), $lower, $upper)]">
      <xsl:variable name="stated">
        <xsl:for-each select="$qtys">
          <xsl:if test="position() &gt; 1">, </xsl:if>
          <xsl:value-of select="normalize-space(concat(., ' ', @unitCode))"/>
          <xsl:if test="normalize-space(@typeCode) != ''">
            <xsl:value-of select="concat(' (typeCode ', normalize-space(@typeCode), ')')"/>
          </xsl:if>
        </xsl:for-each>
      </xsl:variable>
      <xsl:variable name="eachTyped">
        <xsl:if test="normalize-space($qty/@typeCode) != ''">, each with a typeCode,</xsl:if>
      </xsl:variable>
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('OAGIS ProcessPurchaseOrder: line ', $n, ' has ', count($qtys), ' ',
                                     local-name($qty), ' elements', $eachTyped,
                                     ' stating different quantities: ', $stated,
                                     '; ordergate cannot tell which one is ordered and does not guess',
                                     ' (the wrong one would ship the wrong goods): ask the sender to',
                                     ' state the ordered quantity in one Quantity without a typeCode',
                                     ' (any other quantity with a typeCode saying what it counts) and',
                                     ' send the order again')"/>
      </xsl:message>
    </xsl:if>

    <line number="{$n}">
      <quantity><xsl:value-of select="normalize-space($qty)"/></quantity>
      <unitOfMeasure><xsl:value-of select="normalize-space($qty/@unitCode)"/></unitOfMeasure>

      <supplierPartID>
        <xsl:call-template name="trim">
          <xsl:with-param name="s"
              select="($item/SupplierItemIdentification/ID | $item/SupplierItemID/ID)[normalize-space() != ''][1]
                      | ($item/ID | $item/ItemID/ID)[normalize-space() != '']
                        [not(($item/SupplierItemIdentification/ID | $item/SupplierItemID/ID)[normalize-space() != ''])][1]"/>
        </xsl:call-template>
      </supplierPartID>

      <xsl:for-each select="$item/Extension[@typeCode = 'SupplierPartAuxiliaryID'][1]/Text[1]">
        <!-- opaque: byte for byte -->
        <supplierPartAuxiliaryID><xsl:value-of select="."/></supplierPartAuxiliaryID>
      </xsl:for-each>

      <xsl:for-each select="($item/CustomerItemIdentification/ID | $item/CustomerItemID/ID)[normalize-space() != ''][1]">
        <buyerPartID>
          <xsl:call-template name="trim">
            <xsl:with-param name="s" select="."/>
          </xsl:call-template>
        </buyerPartID>
      </xsl:for-each>

      <xsl:variable name="descs" select="$item/Description[normalize-space() != '']
                                         | Description[normalize-space() != ''][not($item/Description[normalize-space() != ''])]"/>
      <description>
        <xsl:variable name="lang" select="normalize-space(($descs[1]/@languageCode | $descs[1]/@languageID)[1])"/>
        <xsl:if test="$lang != ''">
          <xsl:attribute name="lang"><xsl:value-of select="$lang"/></xsl:attribute>
        </xsl:if>
        <xsl:for-each select="$descs">
          <xsl:if test="position() &gt; 1">
            <xsl:text>&#10;</xsl:text>
          </xsl:if>
          <xsl:value-of select="normalize-space(.)"/>
        </xsl:for-each>
      </description>

      <unitPrice>
        <xsl:variable name="pc" select="normalize-space(($price/@currencyCode | $price/@currencyID)[1])"/>
        <xsl:if test="$pc != ''">
          <xsl:attribute name="currency"><xsl:value-of select="$pc"/></xsl:attribute>
        </xsl:if>
        <xsl:value-of select="normalize-space($price)"/>
      </unitPrice>

      <!-- what the sender says the line comes to; the engine compares it
           with quantity x unit price (warning line-amount-mismatch) -->
      <xsl:for-each select="ExtendedAmount[normalize-space() != ''][1]">
        <statedAmount>
          <xsl:call-template name="amount-currency">
            <xsl:with-param name="a" select="."/>
          </xsl:call-template>
          <xsl:value-of select="normalize-space(.)"/>
        </statedAmount>
      </xsl:for-each>

      <xsl:for-each select="$item/Classification">
        <xsl:for-each select="UNSPSCCode[normalize-space() != '']">
          <classification domain="UNSPSC">
            <xsl:call-template name="trim">
              <xsl:with-param name="s" select="."/>
            </xsl:call-template>
          </classification>
        </xsl:for-each>
        <xsl:for-each select="Codes/Code[normalize-space() != '']">
          <classification>
            <xsl:attribute name="domain">
              <xsl:choose>
                <xsl:when test="normalize-space(@listID) != ''"><xsl:value-of select="normalize-space(@listID)"/></xsl:when>
                <xsl:when test="normalize-space(@typeCode) != ''"><xsl:value-of select="normalize-space(@typeCode)"/></xsl:when>
                <xsl:otherwise>custom</xsl:otherwise>
              </xsl:choose>
            </xsl:attribute>
            <xsl:call-template name="trim">
              <xsl:with-param name="s" select="."/>
            </xsl:call-template>
          </classification>
        </xsl:for-each>
      </xsl:for-each>

      <xsl:for-each select="($item/ManufacturerItemIdentification/ID | $item/ManufacturerItemID/ID)[normalize-space() != ''][1]">
        <manufacturerPartID>
          <xsl:call-template name="trim">
            <xsl:with-param name="s" select="."/>
          </xsl:call-template>
        </manufacturerPartID>
      </xsl:for-each>
      <xsl:for-each select="$item/ManufacturingParty/Name[normalize-space() != ''][1]">
        <manufacturerName><xsl:value-of select="normalize-space(.)"/></manufacturerName>
      </xsl:for-each>

      <xsl:for-each select="(RequiredDeliveryDateTime[normalize-space() != '']
                             | PurchaseOrderSchedule/RequiredDeliveryDateTime[normalize-space() != ''][not(current()/RequiredDeliveryDateTime[normalize-space() != ''])]
                             | PromisedDeliveryDateTime[normalize-space() != ''][not(current()/RequiredDeliveryDateTime[normalize-space() != ''] or current()/PurchaseOrderSchedule/RequiredDeliveryDateTime[normalize-space() != ''])])[1]">
        <requestedDeliveryDate><xsl:value-of select="normalize-space(.)"/></requestedDeliveryDate>
      </xsl:for-each>

      <xsl:apply-templates select="ShipToParty[1]" mode="party">
        <xsl:with-param name="element" select="'shipTo'"/>
      </xsl:apply-templates>

      <xsl:apply-templates select="Extension[@typeCode = 'Distribution']" mode="distribution"/>

      <xsl:call-template name="shipping-charge">
        <xsl:with-param name="charges" select="Charge | DistributeCharge"/>
        <xsl:with-param name="where" select="concat('line ', $n)"/>
      </xsl:call-template>
      <xsl:apply-templates select="Tax[1]" mode="charge">
        <xsl:with-param name="name" select="'tax'"/>
      </xsl:apply-templates>
      <!-- a line has no discount in the canonical order: one with an
           amount would vanish from what the supplier is told -->
      <xsl:call-template name="refuse-money">
        <xsl:with-param name="nodes" select="Allowance | AmountDiscount"/>
        <xsl:with-param name="where" select="concat('line ', $n)"/>
        <xsl:with-param name="why" select="' that ordergate cannot carry: a line has a quantity and a unit price only, and money is never dropped; ask the sender to take the discount into the unit price and send the order again'"/>
      </xsl:call-template>

      <xsl:variable name="lineNotes"
                    select="Note[normalize-space() != '']
                            | Description[normalize-space() != ''][$item/Description[normalize-space() != '']]"/>
      <xsl:if test="$lineNotes">
        <comments>
          <xsl:apply-templates select="$lineNotes" mode="comment"/>
        </comments>
      </xsl:if>

      <xsl:variable name="ext">
        <xsl:call-template name="extrinsics">
          <xsl:with-param name="owner" select="."/>
        </xsl:call-template>
      </xsl:variable>
      <xsl:if test="exsl:node-set($ext)/*">
        <extrinsics>
          <xsl:copy-of select="$ext"/>
        </extrinsics>
      </xsl:if>
    </line>
  </xsl:template>

  <!-- ================================================================ -->
  <!-- pieces                                                           -->
  <!-- ================================================================ -->

  <!-- @domain / @identity from an identifier element -->
  <xsl:template name="id-attrs">
    <xsl:param name="id"/>
    <xsl:param name="default"/>
    <xsl:attribute name="domain">
      <xsl:choose>
        <xsl:when test="normalize-space($id/@schemeAgencyID) != ''">
          <xsl:value-of select="normalize-space($id/@schemeAgencyID)"/>
        </xsl:when>
        <xsl:otherwise><xsl:value-of select="$default"/></xsl:otherwise>
      </xsl:choose>
    </xsl:attribute>
    <xsl:attribute name="identity">
      <xsl:call-template name="trim">
        <xsl:with-param name="s" select="$id"/>
      </xsl:call-template>
    </xsl:attribute>
  </xsl:template>

  <xsl:template name="check-single">
    <xsl:param name="nodes"/>
    <xsl:param name="what"/>
    <xsl:if test="count($nodes) &gt; 1">
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('OAGIS ProcessPurchaseOrder: ', $what,
                                     '; ordergate maps one (a sum cannot be formed exactly here)')"/>
      </xsl:message>
    </xsl:if>
  </xsl:template>

  <!-- the order's discount: the one Allowance or AmountDiscount with an
       amount (zero ones are dropped); several are refused, their sum
       cannot be formed exactly here -->
  <xsl:template name="discount">
    <xsl:param name="discounts"/>
    <xsl:param name="where"/>
    <xsl:variable name="priced"
                  select="$discounts[not(number(normalize-space((Amount | DiscountAmount)[1])) = 0)]"/>
    <xsl:if test="count($priced) &gt; 1">
      <xsl:call-template name="refuse-money">
        <xsl:with-param name="nodes" select="$priced[2]"/>
        <xsl:with-param name="where" select="$where"/>
        <xsl:with-param name="why" select="concat(' besides another discount (', normalize-space(($priced[1]/Amount | $priced[1]/DiscountAmount)[1]), '): ordergate carries one discount per order (a sum cannot be formed exactly here), and money is never dropped; ask the sender to state the discounts as one and send the order again')"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:apply-templates select="($priced | $discounts[not($priced)])[1]" mode="charge">
      <xsl:with-param name="name" select="'discount'"/>
    </xsl:apply-templates>
  </xsl:template>

  <!-- stops on the first of nodes with an amount other than zero -->
  <xsl:template name="refuse-money">
    <xsl:param name="nodes"/>
    <xsl:param name="where"/>
    <xsl:param name="why"/>
    <xsl:for-each select="$nodes[not(number(normalize-space((Amount | DiscountAmount | ChargeAmount)[1])) = 0)][1]">
      <xsl:variable name="a" select="(Amount | DiscountAmount | ChargeAmount)[1]"/>
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('OAGIS ProcessPurchaseOrder: ', $where, ' has an ', local-name(),
                                     ' (', normalize-space($a), ' ',
                                     normalize-space(($a/@currencyCode | $a/@currencyID)[1]), ')', $why)"/>
      </xsl:message>
    </xsl:for-each>
  </xsl:template>

  <!-- the shipping charge among Charge / DistributeCharge elements -->
  <xsl:template name="shipping-charge">
    <xsl:param name="charges"/>
    <xsl:param name="where"/>
    <xsl:variable name="typed"
                  select="$charges[contains($shippingCodes,
                                            concat('|', translate(normalize-space(@typeCode), $upper, $lower), '|'))
                                   and normalize-space(@typeCode) != '']"/>
    <xsl:call-template name="check-single">
      <xsl:with-param name="nodes" select="$typed"/>
      <xsl:with-param name="what" select="concat($where, ' has several shipping charges')"/>
    </xsl:call-template>
    <xsl:variable name="taken"
                  select="$typed[1] | $charges[not($typed) and count($charges) = 1
                                               and normalize-space(@typeCode) = '']"/>
    <!-- money never vanishes: any other charge with an amount is refused
         (the canonical order carries shipping, tax and discount only) -->
    <xsl:for-each select="$charges[count(. | $taken) != count($taken)]
                                  [not(number(normalize-space((Amount | ChargeAmount)[1])) = 0)][1]">
      <xsl:variable name="a" select="(Amount | ChargeAmount)[1]"/>
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('OAGIS ProcessPurchaseOrder: ', $where, ' has a ', local-name(), ' ')"/>
        <xsl:choose>
          <xsl:when test="normalize-space(@typeCode) != ''">
            <xsl:value-of select="concat('of type ', normalize-space(@typeCode))"/>
          </xsl:when>
          <xsl:otherwise>without a typeCode</xsl:otherwise>
        </xsl:choose>
        <xsl:value-of select="concat(' (', normalize-space($a), ' ',
                                     normalize-space(($a/@currencyCode | $a/@currencyID)[1]), ')',
                                     ' that ordergate cannot carry: the canonical order has',
                                     ' one shipping charge (typeCode Freight, Shipping, Shipment',
                                     ' or Delivery, or a single Charge without a typeCode), tax',
                                     ' and discount only, and money is never dropped; ask the',
                                     ' sender to include this charge in the prices or the freight',
                                     ' charge and send the order again')"/>
      </xsl:message>
    </xsl:for-each>
    <xsl:apply-templates select="$taken" mode="charge">
      <xsl:with-param name="name" select="'shipping'"/>
    </xsl:apply-templates>
  </xsl:template>

  <!-- Charge / Tax / Allowance / AmountDiscount -> charge -->
  <xsl:template match="*" mode="charge">
    <xsl:param name="name"/>
    <xsl:element name="{$name}">
      <xsl:variable name="a" select="(Amount | TaxAmount | ChargeAmount | DiscountAmount)[1]"/>
      <amount>
        <xsl:call-template name="amount-currency">
          <xsl:with-param name="a" select="$a"/>
        </xsl:call-template>
        <xsl:value-of select="normalize-space($a)"/>
      </amount>
      <xsl:if test="normalize-space(Description[1]) != ''">
        <description><xsl:value-of select="normalize-space(Description[1])"/></description>
      </xsl:if>
    </xsl:element>
  </xsl:template>

  <!-- an amount's @currencyCode [@currencyID] as the currency attribute
       (the engine refuses one that is not the order's) -->
  <xsl:template name="amount-currency">
    <xsl:param name="a"/>
    <xsl:variable name="c" select="normalize-space(($a[1]/@currencyCode | $a[1]/@currencyID)[normalize-space() != ''][1])"/>
    <xsl:if test="$c != ''">
      <xsl:attribute name="currency"><xsl:value-of select="$c"/></xsl:attribute>
    </xsl:if>
  </xsl:template>

  <!-- any OAGIS party -> party (or a line's shipTo) -->
  <xsl:template match="*" mode="party">
    <xsl:param name="role" select="''"/>
    <xsl:param name="element" select="'party'"/>
    <xsl:variable name="loc" select="Location[1]"/>
    <xsl:variable name="addr" select="($loc/Address | $loc/PostalAddress | $loc/PhysicalAddress | Address)[1]"/>
    <xsl:variable name="pid" select="(ID | PartyIDs/ID)[normalize-space() != ''][1]"/>
    <xsl:element name="{$element}">
      <xsl:if test="$role != ''">
        <xsl:attribute name="role"><xsl:value-of select="$role"/></xsl:attribute>
      </xsl:if>
      <xsl:variable name="aid" select="($loc/ID[normalize-space() != ''] | $pid[not($loc/ID[normalize-space() != ''])])[1]"/>
      <xsl:if test="$aid">
        <xsl:attribute name="addressID">
          <xsl:call-template name="trim">
            <xsl:with-param name="s" select="$aid"/>
          </xsl:call-template>
        </xsl:attribute>
      </xsl:if>
      <name>
        <xsl:value-of select="normalize-space((Name[normalize-space() != ''] | $loc/Name[normalize-space() != ''])[1])"/>
      </name>
      <xsl:for-each select="$addr/AttentionOfName[normalize-space() != '']">
        <deliverTo><xsl:value-of select="normalize-space(.)"/></deliverTo>
      </xsl:for-each>
      <xsl:for-each select="Contact">
        <xsl:variable name="cn">
          <xsl:call-template name="person-name"/>
        </xsl:variable>
        <xsl:if test="$cn != ''">
          <deliverTo><xsl:value-of select="$cn"/></deliverTo>
        </xsl:if>
      </xsl:for-each>
      <xsl:variable name="lines"
                    select="$addr/AddressLine | $addr/LineOne | $addr/LineTwo | $addr/LineThree
                            | $addr/LineFour | $addr/LineFive | $addr/LineSix | $addr/LineSeven
                            | $addr/LineEight | $addr/LineNine"/>
      <xsl:choose>
        <xsl:when test="$lines[normalize-space() != '']">
          <xsl:for-each select="$lines[normalize-space() != '']">
            <street><xsl:value-of select="normalize-space(.)"/></street>
          </xsl:for-each>
        </xsl:when>
        <xsl:otherwise>
          <xsl:if test="normalize-space($addr/StreetName) != ''">
            <street>
              <xsl:value-of select="normalize-space(concat($addr/BuildingNumber, ' ', $addr/StreetName))"/>
            </street>
          </xsl:if>
          <xsl:if test="normalize-space($addr/PostOfficeBox) != ''">
            <street><xsl:value-of select="normalize-space($addr/PostOfficeBox)"/></street>
          </xsl:if>
        </xsl:otherwise>
      </xsl:choose>
      <xsl:if test="normalize-space($addr/CityName) != ''">
        <city><xsl:value-of select="normalize-space($addr/CityName)"/></city>
      </xsl:if>
      <xsl:if test="normalize-space($addr/CitySubDivisionName[1]) != ''">
        <municipality><xsl:value-of select="normalize-space($addr/CitySubDivisionName[1])"/></municipality>
      </xsl:if>
      <xsl:if test="normalize-space($addr/CountrySubDivisionCode[1]) != ''">
        <state><xsl:value-of select="normalize-space($addr/CountrySubDivisionCode[1])"/></state>
      </xsl:if>
      <xsl:if test="normalize-space($addr/PostalCode) != ''">
        <postalCode><xsl:value-of select="normalize-space($addr/PostalCode)"/></postalCode>
      </xsl:if>
      <xsl:if test="normalize-space($addr/CountryCode) != ''">
        <country code="{normalize-space($addr/CountryCode)}"/>
      </xsl:if>
      <xsl:variable name="comms" select="Contact | $loc"/>
      <xsl:variable name="email"
                    select="($comms/EMailAddressCommunication/URI
                             | $comms/Communication[translate(normalize-space(ChannelCode), $upper, $lower) = 'email'
                                                    or translate(normalize-space(ChannelCode), $upper, $lower) = 'e-mail']/URI)
                            [normalize-space() != ''][1]"/>
      <xsl:if test="$email">
        <email><xsl:value-of select="normalize-space($email)"/></email>
      </xsl:if>
      <xsl:variable name="phones"
                    select="$comms/TelephoneCommunication[translate(normalize-space(ChannelCode), $upper, $lower) != 'fax']
                            | $comms/Communication[contains('|telephone|phone|mobile|', concat('|', translate(normalize-space(ChannelCode), $upper, $lower), '|'))
                                                   and normalize-space(ChannelCode) != '']"/>
      <xsl:variable name="faxes"
                    select="$comms/TelephoneCommunication[translate(normalize-space(ChannelCode), $upper, $lower) = 'fax']
                            | $comms/Communication[translate(normalize-space(ChannelCode), $upper, $lower) = 'fax']"/>
      <xsl:for-each select="$phones[1]">
        <phone><xsl:call-template name="phone-number"/></phone>
      </xsl:for-each>
      <xsl:for-each select="$faxes[1]">
        <fax><xsl:call-template name="phone-number"/></fax>
      </xsl:for-each>
    </xsl:element>
  </xsl:template>

  <!-- a TelephoneCommunication or Communication as one string -->
  <xsl:template name="phone-number">
    <xsl:choose>
      <xsl:when test="normalize-space(FormattedNumber | CompleteNumber) != ''">
        <xsl:value-of select="normalize-space((FormattedNumber | CompleteNumber)[1])"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:variable name="parts">
          <xsl:if test="normalize-space(CountryDialingCode) != ''">
            <xsl:value-of select="concat('+', normalize-space(CountryDialingCode))"/>
          </xsl:if>
          <xsl:value-of select="concat(' ', normalize-space(AreaDialingCode))"/>
          <xsl:value-of select="concat(' ', normalize-space(DialNumber))"/>
          <xsl:if test="normalize-space(PhoneExtension) != ''">
            <xsl:value-of select="concat(' x ', normalize-space(PhoneExtension))"/>
          </xsl:if>
        </xsl:variable>
        <xsl:value-of select="normalize-space($parts)"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- name of a Contact (context node) -->
  <xsl:template name="person-name">
    <xsl:variable name="pn" select="PersonName[1]"/>
    <xsl:choose>
      <xsl:when test="normalize-space($pn/FormattedName) != ''">
        <xsl:value-of select="normalize-space($pn/FormattedName)"/>
      </xsl:when>
      <xsl:when test="$pn">
        <xsl:variable name="parts">
          <xsl:for-each select="$pn/GivenName | $pn/MiddleName | $pn/FamilyName">
            <xsl:value-of select="concat(' ', .)"/>
          </xsl:for-each>
        </xsl:variable>
        <xsl:value-of select="normalize-space($parts)"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="normalize-space(Name[1])"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- BuyerParty contact -> contact -->
  <xsl:template name="contact">
    <xsl:variable name="role">
      <xsl:choose>
        <xsl:when test="normalize-space(RoleCode[1]) != ''"><xsl:value-of select="normalize-space(RoleCode[1])"/></xsl:when>
        <xsl:when test="self::BuyerContact">buyer</xsl:when>
        <xsl:when test="self::RequesterContact">requester</xsl:when>
        <xsl:when test="self::PlannerContact">planner</xsl:when>
        <xsl:when test="self::ReceivingContact">receiving</xsl:when>
      </xsl:choose>
    </xsl:variable>
    <contact>
      <xsl:if test="$role != ''">
        <xsl:attribute name="role"><xsl:value-of select="$role"/></xsl:attribute>
      </xsl:if>
      <name><xsl:call-template name="person-name"/></name>
      <xsl:for-each select="(EMailAddressCommunication/URI
                             | Communication[translate(normalize-space(ChannelCode), $upper, $lower) = 'email'
                                             or translate(normalize-space(ChannelCode), $upper, $lower) = 'e-mail']/URI)
                            [normalize-space() != '']">
        <email><xsl:value-of select="normalize-space(.)"/></email>
      </xsl:for-each>
      <xsl:for-each select="TelephoneCommunication[translate(normalize-space(ChannelCode), $upper, $lower) != 'fax']
                            | Communication[contains('|telephone|phone|mobile|', concat('|', translate(normalize-space(ChannelCode), $upper, $lower), '|'))
                                            and normalize-space(ChannelCode) != '']">
        <xsl:variable name="p"><xsl:call-template name="phone-number"/></xsl:variable>
        <xsl:if test="$p != ''">
          <phone><xsl:value-of select="$p"/></phone>
        </xsl:if>
      </xsl:for-each>
    </contact>
  </xsl:template>

  <!-- Extension PCard / PaymentReference -> payment -->
  <xsl:template match="Extension" mode="payment">
    <payment>
      <xsl:choose>
        <xsl:when test="@typeCode = 'PCard'">
          <pcard>
            <xsl:attribute name="number">
              <xsl:value-of select="normalize-space(ID[1])"/>
            </xsl:attribute>
            <xsl:attribute name="expiration">
              <xsl:value-of select="normalize-space(Text[@typeCode = 'expiration'][1])"/>
            </xsl:attribute>
            <xsl:if test="normalize-space(Name[1]) != ''">
              <xsl:attribute name="name"><xsl:value-of select="normalize-space(Name[1])"/></xsl:attribute>
            </xsl:if>
          </pcard>
        </xsl:when>
        <xsl:otherwise>
          <reference>
            <xsl:if test="normalize-space(Code[@typeCode = 'method'][1]) != ''">
              <xsl:attribute name="method">
                <xsl:value-of select="normalize-space(Code[@typeCode = 'method'][1])"/>
              </xsl:attribute>
            </xsl:if>
            <xsl:if test="normalize-space(Code[@typeCode = 'provider'][1]) != ''">
              <xsl:attribute name="provider">
                <xsl:value-of select="normalize-space(Code[@typeCode = 'provider'][1])"/>
              </xsl:attribute>
            </xsl:if>
            <xsl:if test="normalize-space(Amount[1]) != ''">
              <amount>
                <xsl:call-template name="amount-currency">
                  <xsl:with-param name="a" select="Amount[1]"/>
                </xsl:call-template>
                <xsl:value-of select="normalize-space(Amount[1])"/>
              </amount>
            </xsl:if>
            <xsl:for-each select="ID">
              <id domain="{normalize-space(@schemeID)}">
                <xsl:attribute name="identifier">
                  <xsl:call-template name="trim">
                    <xsl:with-param name="s" select="."/>
                  </xsl:call-template>
                </xsl:attribute>
              </id>
            </xsl:for-each>
          </reference>
        </xsl:otherwise>
      </xsl:choose>
    </payment>
  </xsl:template>

  <!-- Note / Description -> comment -->
  <xsl:template match="*" mode="comment">
    <xsl:if test="normalize-space(.) != ''">
      <comment>
        <xsl:if test="normalize-space(@typeCode) != ''">
          <xsl:attribute name="type"><xsl:value-of select="normalize-space(@typeCode)"/></xsl:attribute>
        </xsl:if>
        <xsl:variable name="lang" select="normalize-space((@languageCode | @languageID)[1])"/>
        <xsl:if test="$lang != ''">
          <xsl:attribute name="lang"><xsl:value-of select="$lang"/></xsl:attribute>
        </xsl:if>
        <xsl:value-of select="normalize-space(.)"/>
      </comment>
    </xsl:if>
  </xsl:template>

  <!-- extrinsics of a header or line (owner) -->
  <xsl:template name="extrinsics">
    <xsl:param name="owner"/>
    <xsl:for-each select="$owner/Extension[@typeCode = 'Extrinsic']">
      <extrinsic name="{normalize-space(Name[1])}"><xsl:value-of select="ValueText[1]"/></extrinsic>
    </xsl:for-each>
    <xsl:for-each select="$owner/UserArea//NameValue[normalize-space(@name) != '']">
      <extrinsic name="{normalize-space(@name)}"><xsl:value-of select="."/></extrinsic>
    </xsl:for-each>
  </xsl:template>

  <!-- Extension typeCode="Distribution" -> distribution -->
  <xsl:template match="Extension" mode="distribution">
    <xsl:variable name="texts" select="Text"/>
    <distribution>
      <accounting name="{normalize-space(Name[1])}">
        <xsl:for-each select="Code">
          <xsl:variable name="i" select="position()"/>
          <segment type="{normalize-space(@typeCode)}">
            <xsl:attribute name="id">
              <xsl:call-template name="trim">
                <xsl:with-param name="s" select="."/>
              </xsl:call-template>
            </xsl:attribute>
            <xsl:if test="normalize-space($texts[$i]) != ''">
              <xsl:attribute name="description">
                <xsl:value-of select="normalize-space($texts[$i])"/>
              </xsl:attribute>
            </xsl:if>
          </segment>
        </xsl:for-each>
      </accounting>
      <charge>
        <xsl:call-template name="amount-currency">
          <xsl:with-param name="a" select="Amount[1]"/>
        </xsl:call-template>
        <xsl:value-of select="normalize-space(Amount[1])"/>
      </charge>
    </distribution>
  </xsl:template>

  <!-- ================================================================ -->
  <!-- string helpers                                                   -->
  <!-- ================================================================ -->

  <!-- leading and trailing XML whitespace removed, the inside kept -->
  <xsl:template name="trim">
    <xsl:param name="s"/>
    <xsl:variable name="str" select="string($s)"/>
    <xsl:variable name="first" select="substring(normalize-space($str), 1, 1)"/>
    <xsl:if test="$first != ''">
      <xsl:call-template name="trim-end">
        <xsl:with-param name="s" select="substring($str, string-length(substring-before($str, $first)) + 1)"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <xsl:template name="trim-end">
    <xsl:param name="s"/>
    <xsl:choose>
      <xsl:when test="$s != '' and contains($ws, substring($s, string-length($s), 1))">
        <xsl:call-template name="trim-end">
          <xsl:with-param name="s" select="substring($s, 1, string-length($s) - 1)"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

</xsl:stylesheet>
