<?xml version="1.0" encoding="UTF-8"?>
<!-- csv-subset.xsl (tests only): the part of a canonical order that the CSV
     purchase-order layout carries (maps/csv/ordergate-po.ini), for comparing
     round trips through CSV. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="text"/>
  <xsl:template match="/order">
    <xsl:value-of select="concat(orderID, '|', orderDate, '|', currency, '&#10;')"/>
    <xsl:for-each select="lines/line">
      <xsl:value-of select="concat(@number, '|', quantity, '|', unitOfMeasure, '|', supplierPartID, '|',
                            buyerPartID, '|', normalize-space(description), '|', unitPrice, '|',
                            requestedDeliveryDate, '&#10;')"/>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
