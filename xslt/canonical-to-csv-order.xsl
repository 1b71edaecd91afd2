<?xml version="1.0" encoding="UTF-8"?>
<!--
  canonical-to-csv-order.xsl: enriched canonical order -> purchase order as
  CSV for a supplier that takes spreadsheets: one header row, then one row
  per line, RFC 4180 (comma, CRLF between records, UTF-8 without a byte
  order mark).

  Columns
    orderID, orderDate, currency, lineNumber, supplierPartID, buyerPartID,
    description, quantity, unitOfMeasure, unitPrice, amount,
    requestedDeliveryDate (the line's, else the order's), shipToName,
    shipToCity, shipToCountry (the line's shipTo, else the order's shipTo
    party; the country's ISO code, else its name)

  Cells
    A cell holding the delimiter, a quote, CR or LF is quoted, its quotes
    doubled. A text cell starting with = + - @ TAB or CR gets a leading
    apostrophe, so a spreadsheet shows it instead of running it as a formula
    (OWASP "CSV injection"). Numbers (lineNumber, quantity, unitPrice,
    amount) are the engine's normalised decimals and are written as they
    are.

  Parameters: the same as canonical-to-cxml-order.xsl (payloadID,
  timestamp, senderDomain, senderIdentity, userAgent), so the engine can
  pass every outbound sheet the same set; CSV has no envelope to put them in.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform">

  <xsl:output method="text" encoding="UTF-8"/>
  <xsl:strip-space elements="*"/>

  <!-- lines the decision rejected whole are not ordered from the supplier -->
  <xsl:key name="rejected-line" match="/order/decision/line[@action = 'reject'][not(@accepted)]"
           use="number(@number)"/>

  <xsl:param name="payloadID" select="''"/>
  <xsl:param name="timestamp" select="''"/>
  <xsl:param name="senderDomain" select="''"/>
  <xsl:param name="senderIdentity" select="''"/>
  <xsl:param name="userAgent" select="'ordergate'"/>

  <xsl:template match="/">
    <xsl:if test="not(order/summary)">
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('not an enriched canonical order: root is ', name(*[1]), ' (order with summary expected)')"/>
      </xsl:message>
    </xsl:if>
    <xsl:text>orderID,orderDate,currency,lineNumber,supplierPartID,buyerPartID,description,quantity,unitOfMeasure,unitPrice,amount,requestedDeliveryDate,shipToName,shipToCity,shipToCountry&#13;&#10;</xsl:text>
    <xsl:apply-templates select="order/lines/line[not(key('rejected-line', number(@number)))]"/>
  </xsl:template>

  <xsl:template match="line">
    <xsl:variable name="o" select="/order"/>
    <xsl:variable name="ship" select="(shipTo | $o/parties/party[@role = 'shipTo'][1])[1]"/>
    <xsl:call-template name="text-cell">
      <xsl:with-param name="v" select="$o/poNumber | $o/orderID[not(../poNumber)]"/>
    </xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="text-cell">
      <xsl:with-param name="v" select="$o/orderDate"/>
    </xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="text-cell">
      <xsl:with-param name="v" select="$o/currency"/>
    </xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:value-of select="normalize-space(@number)"/>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="text-cell">
      <xsl:with-param name="v" select="supplierPartID"/>
    </xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="text-cell">
      <xsl:with-param name="v" select="buyerPartID"/>
    </xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="text-cell">
      <xsl:with-param name="v" select="description"/>
    </xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:value-of select="normalize-space(quantity)"/>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="text-cell">
      <xsl:with-param name="v" select="unitOfMeasure"/>
    </xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:value-of select="normalize-space(unitPrice)"/>
    <xsl:text>,</xsl:text>
    <xsl:value-of select="normalize-space(amount)"/>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="text-cell">
      <xsl:with-param name="v" select="(requestedDeliveryDate | $o/requestedDeliveryDate)[1]"/>
    </xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="text-cell">
      <xsl:with-param name="v" select="$ship/name"/>
    </xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="text-cell">
      <xsl:with-param name="v" select="$ship/city"/>
    </xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="text-cell">
      <xsl:with-param name="v">
        <xsl:choose>
          <xsl:when test="normalize-space($ship/country/@code) != ''">
            <xsl:value-of select="normalize-space($ship/country/@code)"/>
          </xsl:when>
          <xsl:otherwise><xsl:value-of select="$ship/country"/></xsl:otherwise>
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
