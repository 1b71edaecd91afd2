<?xml version="1.0" encoding="UTF-8"?>
<!--
  invoice-to-csv.xsl: canonical invoice (xslt/invoice.rng) -> invoice as
  CSV for a finance (accounts payable) import: one header row, then one row
  per invoice line, RFC 4180 (comma, CRLF after every record, UTF-8 without
  a byte order mark).

  Columns
    invoiceID, invoiceDate, orderID (the buyer's), poNumber (ours; empty
    when none), lineNumber (the order line the invoice line bills),
    supplierPartID, description, quantity, unitOfMeasure, unitPrice,
    amount (quantity x unitPrice as the engine rounds it: see
    xslt/invoice.rng), tax (the line's tax; empty when the
    line carries none), currency,
    then the invoice line number and the invoice totals:
    invoiceLine, invoiceSubtotal, invoiceTax, invoiceTaxRate (percent,
    "19" is 19 %; empty when unknown), invoiceShipping, invoiceDiscount
    (positive amount taken off), invoiceNet (what is owed: subtotal + tax
    + shipping - discount).

  Why the totals are columns and not a trailing summary row: every row is
  then a complete record that an import can take on its own (grouped by
  invoiceID), the amount and tax columns add up to invoiceSubtotal and
  invoiceTax, and no summary row can be mistaken for (or summed as) one
  more line. The totals repeat on every row of the invoice.

  Cells
    A cell holding the delimiter, a quote, CR or LF is quoted, its quotes
    doubled. A text cell starting with = + - @ TAB or CR gets a leading
    apostrophe, so a spreadsheet shows it instead of running it as a formula
    (OWASP "CSV injection"). Number cells (quantity, unitPrice, amount, tax,
    the totals, line numbers) are the engine's exact decimals and are
    written as they are (never through number()); a value that is not a
    plain decimal is treated as text, so it is neutralised too.

  Parameters: the same as invoice-to-cxml.xsl (payloadID, timestamp,
  senderDomain, senderIdentity, userAgent), so the engine can pass every
  invoice sheet the same set; CSV has no envelope to put them in.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform">

  <xsl:output method="text" encoding="UTF-8"/>
  <xsl:strip-space elements="*"/>
  <xsl:preserve-space elements="description"/>

  <xsl:param name="payloadID" select="''"/>
  <xsl:param name="timestamp" select="''"/>
  <xsl:param name="senderDomain" select="''"/>
  <xsl:param name="senderIdentity" select="''"/>
  <xsl:param name="userAgent" select="'ordergate'"/>

  <xsl:variable name="crlf" select="'&#13;&#10;'"/>

  <xsl:template match="/">
    <xsl:if test="not(invoice/summary)">
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('not a canonical invoice: root is ', name(*[1]), ' (invoice with summary expected)')"/>
      </xsl:message>
    </xsl:if>
    <xsl:text>invoiceID,invoiceDate,orderID,poNumber,lineNumber,supplierPartID,description,quantity,unitOfMeasure,unitPrice,amount,tax,currency,invoiceLine,invoiceSubtotal,invoiceTax,invoiceTaxRate,invoiceShipping,invoiceDiscount,invoiceNet</xsl:text>
    <xsl:value-of select="$crlf"/>
    <xsl:apply-templates select="invoice/lines/line"/>
  </xsl:template>

  <xsl:template match="line">
    <xsl:variable name="i" select="/invoice"/>
    <xsl:variable name="s" select="$i/summary"/>
    <xsl:call-template name="text-cell"><xsl:with-param name="v" select="$i/invoiceID"/></xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="text-cell"><xsl:with-param name="v" select="normalize-space($i/invoiceDate)"/></xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="text-cell"><xsl:with-param name="v" select="$i/order/@orderID"/></xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="text-cell"><xsl:with-param name="v" select="$i/order/@poNumber"/></xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="num-cell"><xsl:with-param name="v" select="@number"/></xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="text-cell"><xsl:with-param name="v" select="supplierPartID"/></xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="text-cell"><xsl:with-param name="v" select="description"/></xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="num-cell"><xsl:with-param name="v" select="quantity"/></xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="text-cell"><xsl:with-param name="v" select="normalize-space(unitOfMeasure)"/></xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="num-cell"><xsl:with-param name="v" select="unitPrice"/></xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="num-cell"><xsl:with-param name="v" select="amount"/></xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="num-cell"><xsl:with-param name="v" select="tax"/></xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="text-cell"><xsl:with-param name="v" select="normalize-space($i/currency)"/></xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="num-cell"><xsl:with-param name="v" select="@invoiceLine"/></xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="num-cell"><xsl:with-param name="v" select="$s/subtotal"/></xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="num-cell"><xsl:with-param name="v" select="$s/tax"/></xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="num-cell"><xsl:with-param name="v" select="$s/taxRate"/></xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="num-cell"><xsl:with-param name="v" select="$s/shipping"/></xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="num-cell"><xsl:with-param name="v" select="$s/discount"/></xsl:call-template>
    <xsl:text>,</xsl:text>
    <xsl:call-template name="num-cell"><xsl:with-param name="v" select="$s/net"/></xsl:call-template>
    <xsl:value-of select="$crlf"/>
  </xsl:template>

  <!-- ================================================================ -->
  <!-- cells                                                            -->
  <!-- ================================================================ -->

  <!-- a number cell: a plain decimal (-?digits[.digits]) as it is, anything
       else (never expected from the engine) as a text cell -->
  <xsl:template name="num-cell">
    <xsl:param name="v"/>
    <xsl:variable name="s" select="normalize-space($v)"/>
    <xsl:variable name="body">
      <xsl:choose>
        <xsl:when test="starts-with($s, '-')"><xsl:value-of select="substring($s, 2)"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="$s = ''"/>
      <xsl:when test="$body != '' and translate($body, '0123456789.', '') = ''
                      and string-length(translate($body, '0123456789', '')) &lt;= 1
                      and not(starts-with($body, '.'))
                      and substring($body, string-length($body)) != '.'">
        <xsl:value-of select="$s"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="text-cell"><xsl:with-param name="v" select="$v"/></xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

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
