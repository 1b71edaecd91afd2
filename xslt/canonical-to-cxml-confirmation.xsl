<?xml version="1.0" encoding="UTF-8"?>
<!--
  canonical-to-cxml-confirmation.xsl: enriched canonical order with its
  decision -> cXML 1.2.071 ConfirmationRequest (Fulfill.dtd), sent by the
  supplier side (canonical `to`) back to the buyer (canonical `from`).

  Parameters (all strings; the engine passes every one):
    payloadID       cXML/@payloadID of the confirmation (required)
    timestamp       cXML/@timestamp (required)
    senderDomain    Sender/Credential/@domain (required)
    senderIdentity  Sender/Credential/Identity (required)
    userAgent       Sender/UserAgent (default "ordergate")
    noticeDate      ConfirmationHeader/@noticeDate (required)
    confirmID       ConfirmationHeader/@confirmID (left out when empty)

  decision -> ConfirmationHeader/@type
    none, or action="accept" without decision/line   accept, with Total
    action="accept" with lines that all accept         accept, with Total and
                                                       one ConfirmationItem per line
    action="accept" with other line actions            detail (as partial)
    action="reject"                                    reject, reason in Comments,
                                                       no ConfirmationItem
    action="partial"                                   detail, one ConfirmationItem
                                                       per decision/line
    action="hold"                                      error: nothing is confirmed
                                                       while an order is held
  decision/line/@action: accept -> accept, reject -> reject,
  backorder -> backordered. ConfirmationStatus/@quantity is
  decision/line/@quantity, else the line quantity. The reason goes into the
  status Comments. Only one status per line is written: the rest of a
  partly accepted line is not stated (it keeps its state under "detail").
  Total is summary/subtotal: the same figure the forwarded OrderRequest
  carries.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"
              doctype-system="http://xml.cxml.org/schemas/cXML/1.2.071/Fulfill.dtd"/>
  <xsl:strip-space elements="*"/>

  <xsl:param name="payloadID" select="''"/>
  <xsl:param name="timestamp" select="''"/>
  <xsl:param name="senderDomain" select="''"/>
  <xsl:param name="senderIdentity" select="''"/>
  <xsl:param name="userAgent" select="'ordergate'"/>
  <xsl:param name="noticeDate" select="''"/>
  <xsl:param name="confirmID" select="''"/>

  <xsl:variable name="lang" select="'en'"/>
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

  <!-- accept | reject | detail -->
  <xsl:variable name="confType">
    <xsl:choose>
      <xsl:when test="$action = 'reject'">reject</xsl:when>
      <xsl:when test="$action = 'partial'">detail</xsl:when>
      <xsl:when test="$action = 'accept' and $decision/line[@action != 'accept']">detail</xsl:when>
      <xsl:when test="$action = 'accept'">accept</xsl:when>
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
      <xsl:message terminate="yes">cannot write a ConfirmationRequest: the order is on hold (decision action="hold")</xsl:message>
    </xsl:if>
    <xsl:if test="$confType = ''">
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('cannot write a ConfirmationRequest: unknown decision action &quot;', $action, '&quot;')"/>
      </xsl:message>
    </xsl:if>
    <xsl:if test="$confType = 'detail' and not($decision/line)">
      <xsl:message terminate="yes">cannot write a ConfirmationRequest: decision action="partial" names no line</xsl:message>
    </xsl:if>
    <xsl:for-each select="$decision/line">
      <xsl:variable name="n" select="normalize-space(@number)"/>
      <xsl:if test="not(key('line-by-number', $n))">
        <xsl:message terminate="yes">
          <xsl:value-of select="concat('cannot write a ConfirmationRequest: decision names line ', $n, ', which the order does not have')"/>
        </xsl:message>
      </xsl:if>
      <xsl:if test="not(@action = 'accept' or @action = 'reject' or @action = 'backorder')">
        <xsl:message terminate="yes">
          <xsl:value-of select="concat('cannot write a ConfirmationRequest: decision line ', $n, ' has unknown action &quot;', @action, '&quot;')"/>
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
    <cXML payloadID="{$payloadID}" timestamp="{$timestamp}" xml:lang="en-US">
      <Header>
        <From>
          <Credential domain="{to/@domain}">
            <Identity><xsl:value-of select="to/@identity"/></Identity>
          </Credential>
        </From>
        <To>
          <Credential domain="{from/@domain}">
            <Identity><xsl:value-of select="from/@identity"/></Identity>
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
        <ConfirmationRequest>
          <ConfirmationHeader type="{$confType}" noticeDate="{$noticeDate}" operation="new">
            <xsl:if test="normalize-space($confirmID) != ''">
              <xsl:attribute name="confirmID"><xsl:value-of select="$confirmID"/></xsl:attribute>
            </xsl:if>
            <xsl:if test="$confType = 'accept'">
              <Total>
                <Money currency="{$cur}"><xsl:value-of select="summary/subtotal"/></Money>
              </Total>
            </xsl:if>
            <xsl:choose>
              <xsl:when test="normalize-space($decision/message) != ''">
                <Comments xml:lang="{$lang}"><xsl:value-of select="$decision/message"/></Comments>
              </xsl:when>
              <xsl:when test="$confType = 'reject'">
                <Comments xml:lang="{$lang}">
                  <xsl:text>Order rejected</xsl:text>
                  <xsl:if test="normalize-space($decision/@code) != ''">
                    <xsl:value-of select="concat(' (', $decision/@code, ')')"/>
                  </xsl:if>
                </Comments>
              </xsl:when>
            </xsl:choose>
          </ConfirmationHeader>
          <OrderReference orderID="{orderID}" orderDate="{orderDate}">
            <DocumentReference payloadID="{source/@payloadID}"/>
          </OrderReference>
          <xsl:if test="$confType != 'reject'">
            <xsl:apply-templates select="$decision/line"/>
          </xsl:if>
        </ConfirmationRequest>
      </Request>
    </cXML>
  </xsl:template>

  <!-- decision/line -> ConfirmationItem -->
  <xsl:template match="decision/line">
    <xsl:variable name="n" select="normalize-space(@number)"/>
    <xsl:variable name="ol" select="key('line-by-number', $n)[1]"/>
    <ConfirmationItem quantity="{$ol/quantity}" lineNumber="{$n}">
      <UnitOfMeasure><xsl:value-of select="$ol/unitOfMeasure"/></UnitOfMeasure>
      <!-- a line split between statuses: the accepted rest first (the
           engine computes it exactly, as @accepted) -->
      <xsl:if test="normalize-space(@accepted) != ''">
        <ConfirmationStatus quantity="{normalize-space(@accepted)}" type="accept">
          <UnitOfMeasure><xsl:value-of select="$ol/unitOfMeasure"/></UnitOfMeasure>
        </ConfirmationStatus>
      </xsl:if>
      <ConfirmationStatus>
        <xsl:attribute name="quantity">
          <xsl:choose>
            <xsl:when test="normalize-space(@quantity) != ''">
              <xsl:value-of select="normalize-space(@quantity)"/>
            </xsl:when>
            <xsl:otherwise><xsl:value-of select="$ol/quantity"/></xsl:otherwise>
          </xsl:choose>
        </xsl:attribute>
        <xsl:attribute name="type">
          <xsl:choose>
            <xsl:when test="@action = 'backorder'">backordered</xsl:when>
            <xsl:otherwise><xsl:value-of select="@action"/></xsl:otherwise>
          </xsl:choose>
        </xsl:attribute>
        <UnitOfMeasure><xsl:value-of select="$ol/unitOfMeasure"/></UnitOfMeasure>
        <xsl:if test="normalize-space(@reason) != ''">
          <Comments xml:lang="{$lang}"><xsl:value-of select="@reason"/></Comments>
        </xsl:if>
      </ConfirmationStatus>
    </ConfirmationItem>
  </xsl:template>

</xsl:stylesheet>
