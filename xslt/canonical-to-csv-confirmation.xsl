<?xml version="1.0" encoding="UTF-8"?>
<!--
  canonical-to-csv-confirmation.xsl: enriched canonical order with its
  decision -> order confirmation as CSV for a buyer that takes spreadsheets:
  one header row, then one row per confirmed line, RFC 4180 (comma, CRLF,
  UTF-8 without a byte order mark), cells quoted and neutralised as in
  canonical-to-csv-order.xsl (the cell templates at the end).

  Columns: orderID, lineNumber, status, quantity, reason

  decision -> rows (the same reading as canonical-to-cxml-confirmation.xsl)
    none                      every line accepted, its quantity
    action="accept"           every line; a line named in decision/line takes
                              its action, the others are accepted
    action="partial"          the lines named in decision/line only
    action="reject"           every line rejected; reason decision/message,
                              else decision/@code
    action="hold"             error: nothing is confirmed while an order is held
  decision/line/@action accept -> accepted, reject -> rejected, backorder ->
  backordered; quantity decision/line/@quantity, else the line's quantity;
  reason decision/line/@reason.

  Parameters: the same as canonical-to-cxml-confirmation.xsl (payloadID,
  timestamp, senderDomain, senderIdentity, userAgent, noticeDate,
  confirmID), so the engine can pass every outbound sheet the same set.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform">

  <xsl:output method="text" encoding="UTF-8"/>
  <xsl:strip-space elements="*"/>

  <xsl:param name="payloadID" select="''"/>
  <xsl:param name="timestamp" select="''"/>
  <xsl:param name="senderDomain" select="''"/>
  <xsl:param name="senderIdentity" select="''"/>
  <xsl:param name="userAgent" select="'ordergate'"/>
  <xsl:param name="noticeDate" select="''"/>
  <xsl:param name="confirmID" select="''"/>

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

  <xsl:template match="/">
    <xsl:if test="not(order/summary)">
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('not an enriched canonical order: root is ', name(*[1]), ' (order with summary expected)')"/>
      </xsl:message>
    </xsl:if>
    <xsl:if test="$action = 'hold'">
      <xsl:message terminate="yes">cannot write a CSV confirmation: the order is on hold (decision action="hold")</xsl:message>
    </xsl:if>
    <xsl:if test="not($action = 'accept' or $action = 'partial' or $action = 'reject')">
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('cannot write a CSV confirmation: unknown decision action &quot;', $action, '&quot;')"/>
      </xsl:message>
    </xsl:if>
    <xsl:for-each select="$decision/line">
      <xsl:variable name="n" select="normalize-space(@number)"/>
      <xsl:if test="not(key('line-by-number', $n))">
        <xsl:message terminate="yes">
          <xsl:value-of select="concat('cannot write a CSV confirmation: decision names line ', $n, ', which the order does not have')"/>
        </xsl:message>
      </xsl:if>
    </xsl:for-each>
    <xsl:text>orderID,lineNumber,status,quantity,reason&#13;&#10;</xsl:text>
    <xsl:choose>
      <xsl:when test="$action = 'partial'">
        <xsl:for-each select="/order/lines/line">
          <xsl:variable name="n" select="normalize-space(@number)"/>
          <xsl:if test="key('decision-line-by-number', $n)">
            <xsl:call-template name="row"/>
          </xsl:if>
        </xsl:for-each>
      </xsl:when>
      <xsl:otherwise>
        <xsl:for-each select="/order/lines/line">
          <xsl:call-template name="row"/>
        </xsl:for-each>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- one row for the current canonical line -->
  <xsl:template name="row">
    <xsl:variable name="n" select="normalize-space(@number)"/>
    <xsl:variable name="d" select="key('decision-line-by-number', $n)[1]"/>
    <xsl:call-template name="text-cell">
      <xsl:with-param name="v" select="/order/orderID"/>
    </xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:value-of select="$n"/>
    <xsl:text>,</xsl:text>
    <xsl:choose>
      <xsl:when test="$action = 'reject'">rejected</xsl:when>
      <xsl:when test="$d/@action = 'reject'">rejected</xsl:when>
      <xsl:when test="$d/@action = 'backorder'">backordered</xsl:when>
      <xsl:otherwise>accepted</xsl:otherwise>
    </xsl:choose>
    <xsl:text>,</xsl:text>
    <xsl:choose>
      <xsl:when test="$action != 'reject' and normalize-space($d/@quantity) != ''">
        <xsl:value-of select="normalize-space($d/@quantity)"/>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="normalize-space(quantity)"/></xsl:otherwise>
    </xsl:choose>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="text-cell">
      <xsl:with-param name="v">
        <xsl:choose>
          <xsl:when test="$action = 'reject' and normalize-space($decision/message) != ''">
            <xsl:value-of select="normalize-space($decision/message)"/>
          </xsl:when>
          <xsl:when test="$action = 'reject'">
            <xsl:value-of select="normalize-space($decision/@code)"/>
          </xsl:when>
          <xsl:otherwise><xsl:value-of select="$d/@reason"/></xsl:otherwise>
        </xsl:choose>
      </xsl:with-param>
    </xsl:call-template>
    <xsl:text>&#13;&#10;</xsl:text>
  </xsl:template>

  <!-- ================================================================ -->
  <!-- cells (the same in canonical-to-csv-order.xsl and                -->
  <!-- canonical-to-csv-confirmation.xsl)                               -->
  <!-- ================================================================ -->

  <!-- a text cell: formula neutralised, then quoted when needed -->
  <xsl:template name="text-cell">
    <xsl:param name="v"/>
    <xsl:variable name="s" select="string($v)"/>
    <xsl:variable name="first" select="substring($s, 1, 1)"/>
    <xsl:variable name="safe">
      <xsl:if test="$first != '' and contains('=+-@&#9;&#13;', $first)">'</xsl:if>
      <xsl:value-of select="$s"/>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="contains($safe, ',') or contains($safe, '&quot;')
                      or contains($safe, '&#13;') or contains($safe, '&#10;')">
        <xsl:text>"</xsl:text>
        <xsl:call-template name="double-quotes">
          <xsl:with-param name="s" select="string($safe)"/>
        </xsl:call-template>
        <xsl:text>"</xsl:text>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$safe"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="double-quotes">
    <xsl:param name="s"/>
    <xsl:choose>
      <xsl:when test="contains($s, '&quot;')">
        <xsl:value-of select="concat(substring-before($s, '&quot;'), '&quot;&quot;')"/>
        <xsl:call-template name="double-quotes">
          <xsl:with-param name="s" select="substring-after($s, '&quot;')"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

</xsl:stylesheet>
