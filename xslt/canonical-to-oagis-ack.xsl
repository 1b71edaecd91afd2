<?xml version="1.0" encoding="UTF-8"?>
<!--
  canonical-to-oagis-ack.xsl: enriched canonical order with its decision ->
  OAGIS 10.4 AcknowledgePurchaseOrder, sent by the supplier side back to the
  buyer. The output validates against
  xslt/schemas/oagis-10.4/AcknowledgePurchaseOrder.xsd. Values are printed
  as the canonical order holds them; number() is never used.

  Parameters (all strings; the engine passes every one, as for
  canonical-to-cxml-confirmation.xsl):
    payloadID       ApplicationArea/BODID of the acknowledgement (required)
    timestamp       ApplicationArea/CreationDateTime (required)
    senderDomain    Sender/LogicalID/@schemeAgencyID (required; not written
                    when it is "LogicalID")
    senderIdentity  Sender/LogicalID (required)
    userAgent       Sender/ComponentID (default "ordergate")
    noticeDate      PurchaseOrderHeader/Status/EffectiveTimePeriod/StartDateTime:
                    when the decision took effect (required)
    confirmID       PurchaseOrderHeader/DocumentIDSet typeCode="ConfirmationID"/ID
                    (left out when empty)

  The original BOD is echoed in Acknowledge/OriginalApplicationArea: Sender
  (canonical sender: LogicalID = @identity, @schemeAgencyID = @domain unless
  it is "LogicalID", ComponentID = @userAgent), CreationDateTime
  (source/@timestamp, else source/@received: the element is required) and
  BODID (source/@payloadID). ApplicationArea/Receiver is the same canonical
  sender.

  decision -> ResponseCriteria/ResponseExpression/@actionCode and
  PurchaseOrderHeader/Status/Code
    none, or action="accept" with no line other than accept   Accepted
    action="accept" with other line actions                    Modified
    action="partial"                                           Modified
    action="reject"                                            Rejected
    action="hold"                                              error: nothing is
                                                               acknowledged while
                                                               an order is held
  Header Status/Description is decision/message (for a rejection without a
  message: "Order rejected" plus the code); Status/ReasonCode is
  decision/@code. PurchaseOrderHeader carries ID (orderID), RevisionID
  (orderVersion), DocumentDateTime (orderDate), SupplierParty/ID (to),
  BuyerParty/ID (from; @schemeAgencyID = domain, left out for the map's
  defaults "SupplierID" / "BuyerID"), and TotalAmount (summary/subtotal)
  when Accepted.

  One PurchaseOrderLine per canonical line: LineNumberID, Status/Code
  (decision/line/@action accept -> Accepted, reject -> Rejected, backorder
  -> Backordered; a line the decision does not name is Accepted, every line
  of a rejected order is Rejected), Status/Description = decision/line/@reason,
  Item (ID/SupplierItemIdentification = supplierPartID,
  CustomerItemIdentification = buyerPartID), Quantity (the ordered quantity),
  a second Quantity typeCode="Accepted"|"Rejected" when an accept/reject
  line decision states a quantity, UnitPrice/ChargeAmount, and
  BackOrderedQuantity for a backorder (decision/line/@quantity, else the
  ordered quantity).
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns="http://www.openapplications.org/oagis/10">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
  <xsl:strip-space elements="*"/>

  <xsl:param name="payloadID" select="''"/>
  <xsl:param name="timestamp" select="''"/>
  <xsl:param name="senderDomain" select="''"/>
  <xsl:param name="senderIdentity" select="''"/>
  <xsl:param name="userAgent" select="'ordergate'"/>
  <xsl:param name="noticeDate" select="''"/>
  <!-- set when this document is one chunk of a large order's lines
       (docs/performance.md, "Large orders"): the decision may name lines
       of other chunks only -->
  <xsl:param name="linesElsewhere" select="''"/>
  <xsl:param name="confirmID" select="''"/>

  <xsl:variable name="cur" select="normalize-space(/order/currency)"/>
  <xsl:variable name="decision" select="/order/decision"/>
  <!-- lines and decision lines by number: a lookup per line without
       scanning every line (a large order's confirmation was quadratic) -->
  <xsl:key name="line-by-number" match="/order/lines/line" use="normalize-space(@number)"/>
  <xsl:key name="decision-line-by-number" match="/order/decision/line"
           use="normalize-space(@number)"/>
  <xsl:variable name="action">
    <xsl:choose>
      <xsl:when test="$decision"><xsl:value-of select="$decision/@action"/></xsl:when>
      <xsl:otherwise>accept</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>

  <!-- Accepted | Modified | Rejected -->
  <xsl:variable name="ackCode">
    <xsl:choose>
      <xsl:when test="$action = 'reject'">Rejected</xsl:when>
      <xsl:when test="$action = 'partial'">Modified</xsl:when>
      <xsl:when test="$action = 'accept' and $decision/line[@action != 'accept']">Modified</xsl:when>
      <xsl:when test="$action = 'accept'">Accepted</xsl:when>
    </xsl:choose>
  </xsl:variable>

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
    <xsl:call-template name="require">
      <xsl:with-param name="name" select="'noticeDate'"/>
      <xsl:with-param name="value" select="$noticeDate"/>
    </xsl:call-template>
    <xsl:if test="$action = 'hold'">
      <xsl:message terminate="yes">cannot write an AcknowledgePurchaseOrder: the order is on hold (decision action="hold")</xsl:message>
    </xsl:if>
    <xsl:if test="$ackCode = ''">
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('cannot write an AcknowledgePurchaseOrder: unknown decision action &quot;', $action, '&quot;')"/>
      </xsl:message>
    </xsl:if>
    <xsl:if test="$action = 'partial' and not($decision/line) and $linesElsewhere = ''">
      <xsl:message terminate="yes">cannot write an AcknowledgePurchaseOrder: decision action="partial" names no line</xsl:message>
    </xsl:if>
    <xsl:for-each select="$decision/line">
      <xsl:variable name="n" select="normalize-space(@number)"/>
      <xsl:if test="not(key('line-by-number', $n))">
        <xsl:message terminate="yes">
          <xsl:value-of select="concat('cannot write an AcknowledgePurchaseOrder: decision names line ', $n, ', which the order does not have')"/>
        </xsl:message>
      </xsl:if>
      <xsl:if test="not(@action = 'accept' or @action = 'reject' or @action = 'backorder')">
        <xsl:message terminate="yes">
          <xsl:value-of select="concat('cannot write an AcknowledgePurchaseOrder: decision line ', $n, ' has unknown action &quot;', @action, '&quot;')"/>
        </xsl:message>
      </xsl:if>
    </xsl:for-each>
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
    <AcknowledgePurchaseOrder releaseID="10.4">
      <xsl:attribute name="systemEnvironmentCode">
        <xsl:choose>
          <xsl:when test="source/@mode = 'test'">Test</xsl:when>
          <xsl:otherwise>Production</xsl:otherwise>
        </xsl:choose>
      </xsl:attribute>
      <ApplicationArea>
        <Sender>
          <xsl:call-template name="logical-id">
            <xsl:with-param name="domain" select="$senderDomain"/>
            <xsl:with-param name="identity" select="$senderIdentity"/>
          </xsl:call-template>
          <xsl:if test="normalize-space($userAgent) != ''">
            <ComponentID><xsl:value-of select="$userAgent"/></ComponentID>
          </xsl:if>
        </Sender>
        <Receiver>
          <xsl:call-template name="logical-id">
            <xsl:with-param name="domain" select="sender/@domain"/>
            <xsl:with-param name="identity" select="sender/@identity"/>
          </xsl:call-template>
        </Receiver>
        <CreationDateTime><xsl:value-of select="$timestamp"/></CreationDateTime>
        <BODID><xsl:value-of select="$payloadID"/></BODID>
      </ApplicationArea>
      <DataArea>
        <Acknowledge>
          <OriginalApplicationArea>
            <Sender>
              <xsl:call-template name="logical-id">
                <xsl:with-param name="domain" select="sender/@domain"/>
                <xsl:with-param name="identity" select="sender/@identity"/>
              </xsl:call-template>
              <xsl:if test="normalize-space(sender/@userAgent) != ''">
                <ComponentID><xsl:value-of select="sender/@userAgent"/></ComponentID>
              </xsl:if>
            </Sender>
            <CreationDateTime>
              <xsl:choose>
                <xsl:when test="normalize-space(source/@timestamp) != ''">
                  <xsl:value-of select="source/@timestamp"/>
                </xsl:when>
                <xsl:otherwise><xsl:value-of select="source/@received"/></xsl:otherwise>
              </xsl:choose>
            </CreationDateTime>
            <BODID><xsl:value-of select="source/@payloadID"/></BODID>
          </OriginalApplicationArea>
          <ResponseCriteria>
            <ResponseExpression actionCode="{$ackCode}"/>
          </ResponseCriteria>
        </Acknowledge>
        <PurchaseOrder>
          <xsl:call-template name="header"/>
          <xsl:apply-templates select="lines/line"/>
        </PurchaseOrder>
      </DataArea>
    </AcknowledgePurchaseOrder>
  </xsl:template>

  <xsl:template name="header">
    <PurchaseOrderHeader>
      <ID><xsl:value-of select="orderID"/></ID>
      <xsl:if test="orderVersion">
        <RevisionID><xsl:value-of select="orderVersion"/></RevisionID>
      </xsl:if>
      <xsl:if test="normalize-space($confirmID) != ''">
        <DocumentIDSet typeCode="ConfirmationID">
          <ID><xsl:value-of select="$confirmID"/></ID>
        </DocumentIDSet>
      </xsl:if>
      <DocumentDateTime><xsl:value-of select="orderDate"/></DocumentDateTime>
      <Status>
        <Code><xsl:value-of select="$ackCode"/></Code>
        <xsl:choose>
          <xsl:when test="normalize-space($decision/message) != ''">
            <Description><xsl:value-of select="$decision/message"/></Description>
          </xsl:when>
          <xsl:when test="$ackCode = 'Rejected'">
            <Description>
              <xsl:text>Order rejected</xsl:text>
              <xsl:if test="normalize-space($decision/@code) != ''">
                <xsl:value-of select="concat(' (', $decision/@code, ')')"/>
              </xsl:if>
            </Description>
          </xsl:when>
        </xsl:choose>
        <xsl:if test="normalize-space($decision/@code) != ''">
          <ReasonCode><xsl:value-of select="$decision/@code"/></ReasonCode>
        </xsl:if>
        <EffectiveTimePeriod>
          <StartDateTime><xsl:value-of select="$noticeDate"/></StartDateTime>
        </EffectiveTimePeriod>
      </Status>
      <SupplierParty>
        <xsl:call-template name="scheme-id">
          <xsl:with-param name="domain" select="to/@domain[. != 'SupplierID']"/>
          <xsl:with-param name="identity" select="to/@identity"/>
        </xsl:call-template>
      </SupplierParty>
      <xsl:if test="$ackCode = 'Accepted'">
        <TotalAmount currencyCode="{$cur}"><xsl:value-of select="summary/subtotal"/></TotalAmount>
      </xsl:if>
      <BuyerParty>
        <xsl:call-template name="scheme-id">
          <xsl:with-param name="domain" select="from/@domain[. != 'BuyerID']"/>
          <xsl:with-param name="identity" select="from/@identity"/>
        </xsl:call-template>
      </BuyerParty>
    </PurchaseOrderHeader>
  </xsl:template>

  <!-- canonical line -> acknowledged PurchaseOrderLine -->
  <xsl:template match="line">
    <xsl:variable name="n" select="normalize-space(@number)"/>
    <xsl:variable name="dl" select="key('decision-line-by-number', $n)[1]"/>
    <xsl:variable name="lineAction">
      <xsl:choose>
        <xsl:when test="$action = 'reject'">reject</xsl:when>
        <xsl:when test="$dl"><xsl:value-of select="$dl/@action"/></xsl:when>
        <xsl:otherwise>accept</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <PurchaseOrderLine>
      <LineNumberID><xsl:value-of select="@number"/></LineNumberID>
      <Status>
        <Code>
          <xsl:choose>
            <xsl:when test="$lineAction = 'reject'">Rejected</xsl:when>
            <xsl:when test="$lineAction = 'backorder'">Backordered</xsl:when>
            <xsl:otherwise>Accepted</xsl:otherwise>
          </xsl:choose>
        </Code>
        <xsl:if test="normalize-space($dl/@reason) != ''">
          <Description><xsl:value-of select="$dl/@reason"/></Description>
        </xsl:if>
      </Status>
      <xsl:if test="normalize-space(supplierPartID) != '' or buyerPartID">
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
        </Item>
      </xsl:if>
      <Quantity unitCode="{unitOfMeasure}"><xsl:value-of select="quantity"/></Quantity>
      <xsl:if test="($lineAction = 'accept' or $lineAction = 'reject') and normalize-space($dl/@quantity) != ''">
        <Quantity unitCode="{unitOfMeasure}">
          <xsl:attribute name="typeCode">
            <xsl:choose>
              <xsl:when test="$lineAction = 'reject'">Rejected</xsl:when>
              <xsl:otherwise>Accepted</xsl:otherwise>
            </xsl:choose>
          </xsl:attribute>
          <xsl:value-of select="normalize-space($dl/@quantity)"/>
        </Quantity>
      </xsl:if>
      <UnitPrice>
        <ChargeAmount currencyCode="{$cur}"><xsl:value-of select="unitPrice"/></ChargeAmount>
      </UnitPrice>
      <xsl:if test="$lineAction = 'backorder'">
        <BackOrderedQuantity unitCode="{unitOfMeasure}">
          <xsl:choose>
            <xsl:when test="normalize-space($dl/@quantity) != ''">
              <xsl:value-of select="normalize-space($dl/@quantity)"/>
            </xsl:when>
            <xsl:otherwise><xsl:value-of select="quantity"/></xsl:otherwise>
          </xsl:choose>
        </BackOrderedQuantity>
      </xsl:if>
    </PurchaseOrderLine>
  </xsl:template>

  <!-- ================================================================ -->

  <!-- LogicalID, @schemeAgencyID = domain unless it is "LogicalID" -->
  <xsl:template name="logical-id">
    <xsl:param name="domain"/>
    <xsl:param name="identity"/>
    <LogicalID>
      <xsl:if test="normalize-space($domain) != '' and $domain != 'LogicalID'">
        <xsl:attribute name="schemeAgencyID"><xsl:value-of select="$domain"/></xsl:attribute>
      </xsl:if>
      <xsl:value-of select="$identity"/>
    </LogicalID>
  </xsl:template>

  <!-- party ID, @schemeAgencyID = domain -->
  <xsl:template name="scheme-id">
    <xsl:param name="domain"/>
    <xsl:param name="identity"/>
    <ID>
      <xsl:if test="normalize-space($domain) != ''">
        <xsl:attribute name="schemeAgencyID"><xsl:value-of select="$domain"/></xsl:attribute>
      </xsl:if>
      <xsl:value-of select="$identity"/>
    </ID>
  </xsl:template>

</xsl:stylesheet>
