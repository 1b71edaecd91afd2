<?xml version="1.0" encoding="UTF-8"?>
<!--
  csv-to-canonical.xsl: one CSV order, as src/csv.c writes it after applying
  the column map (maps/csv/NAME.ini), -> canonical order (docs/canonical.md).

    <csv-order map="sap-b1" file="po.csv" orderNumber="409811" firstRow="3">
      <field name="orderID">409811</field>
      <field name="currency">USD</field>
      ...
      <line row="3">
        <field name="line.number">1</field>
        <field name="line.quantity">2.0</field>
        ...
      </line>
    </csv-order>

  The reader has already applied the map's constants, turned decimals into
  plain "." numbers, dates into ISO and line numbers into 1-based ones, and
  refused rows it could not read; this sheet only places the fields. Like
  every map it does not reformat: the engine normalises and validates next.

  Parameter
    received  the date-time the file was received (ISO 8601). Used as the
              order date when the map gives no orderDate column or constant
              (SAP Business One exports carry none). Empty and no orderDate:
              the order fails here with a message saying so.

  source/@payloadID is "MAP:ORDERNUMBER": stable, so the same file dropped
  twice (or the same order in a renamed file) is recognised as a duplicate,
  and a changed order under the same number is refused as a replay with
  changes, not booked twice. The file name is deliberately not part of it.

  Defaults: sender and from are from.domain/from.identity, else "CSV" and
  the map name; to is to.domain/to.identity, else "CSV" and ""; type "new";
  orderType "regular"; mode "production"; lines in row order, numbered by
  line.number or by their position; a shipTo party only when some shipTo
  field is given (its name may then be empty); unitOfMeasure as given.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
  <xsl:strip-space elements="csv-order line"/>

  <xsl:param name="received" select="''"/>

  <xsl:variable name="lower" select="'abcdefghijklmnopqrstuvwxyz'"/>
  <xsl:variable name="upper" select="'ABCDEFGHIJKLMNOPQRSTUVWXYZ'"/>

  <xsl:template match="/">
    <xsl:choose>
      <xsl:when test="csv-order">
        <xsl:apply-templates select="csv-order"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:message terminate="yes">
          <xsl:value-of select="concat('not a CSV order from the CSV reader: root is ', name(*[1]))"/>
        </xsl:message>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="csv-order">
    <xsl:variable name="f" select="field"/>
    <xsl:variable name="map" select="normalize-space(@map)"/>
    <xsl:variable name="orderID" select="string($f[@name = 'orderID'])"/>

    <xsl:variable name="orderDate">
      <xsl:choose>
        <xsl:when test="normalize-space($f[@name = 'orderDate']) != ''">
          <xsl:value-of select="normalize-space($f[@name = 'orderDate'])"/>
        </xsl:when>
        <xsl:otherwise>
          <xsl:value-of select="substring(normalize-space($received), 1, 10)"/>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:if test="$orderDate = ''">
      <xsl:message terminate="yes">
        <xsl:value-of select="concat('CSV order ', $orderID, ' (', @file, ', map ', $map,
                              '): no orderDate: map a column or set a constant')"/>
      </xsl:message>
    </xsl:if>

    <xsl:variable name="fromDomain">
      <xsl:call-template name="or-default">
        <xsl:with-param name="v" select="$f[@name = 'from.domain']"/>
        <xsl:with-param name="d" select="'CSV'"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="fromIdentity">
      <xsl:call-template name="or-default">
        <xsl:with-param name="v" select="$f[@name = 'from.identity']"/>
        <xsl:with-param name="d" select="$map"/>
      </xsl:call-template>
    </xsl:variable>

    <order version="1">
      <source format="csv" documentType="CSV"
              payloadID="{concat($map, ':', $orderID)}" mode="production"/>
      <sender domain="{$fromDomain}" identity="{$fromIdentity}"/>
      <from domain="{$fromDomain}" identity="{$fromIdentity}"/>
      <to>
        <xsl:attribute name="domain">
          <xsl:call-template name="or-default">
            <xsl:with-param name="v" select="$f[@name = 'to.domain']"/>
            <xsl:with-param name="d" select="'CSV'"/>
          </xsl:call-template>
        </xsl:attribute>
        <xsl:attribute name="identity">
          <xsl:value-of select="normalize-space($f[@name = 'to.identity'])"/>
        </xsl:attribute>
      </to>

      <orderID><xsl:value-of select="$orderID"/></orderID>
      <orderDate><xsl:value-of select="$orderDate"/></orderDate>
      <type>
        <xsl:call-template name="or-default">
          <xsl:with-param name="v" select="$f[@name = 'type']"/>
          <xsl:with-param name="d" select="'new'"/>
        </xsl:call-template>
      </type>
      <orderType>regular</orderType>
      <xsl:if test="normalize-space($f[@name = 'requestedDeliveryDate']) != ''">
        <requestedDeliveryDate>
          <xsl:value-of select="normalize-space($f[@name = 'requestedDeliveryDate'])"/>
        </requestedDeliveryDate>
      </xsl:if>
      <currency><xsl:value-of select="normalize-space($f[@name = 'currency'])"/></currency>

      <parties>
        <xsl:if test="$f[starts-with(@name, 'shipTo.')]">
          <party role="shipTo">
            <xsl:variable name="cc" select="normalize-space($f[@name = 'shipTo.countryCode'])"/>
            <xsl:variable name="cn" select="normalize-space($f[@name = 'shipTo.country'])"/>
            <xsl:if test="$cc != ''">
              <xsl:attribute name="isoCountryCode">
                <xsl:value-of select="translate($cc, $lower, $upper)"/>
              </xsl:attribute>
            </xsl:if>
            <name><xsl:value-of select="normalize-space($f[@name = 'shipTo.name'])"/></name>
            <xsl:for-each select="$f[@name = 'shipTo.street']">
              <street><xsl:value-of select="normalize-space(.)"/></street>
            </xsl:for-each>
            <xsl:if test="$f[@name = 'shipTo.city']">
              <city><xsl:value-of select="normalize-space($f[@name = 'shipTo.city'])"/></city>
            </xsl:if>
            <xsl:if test="$f[@name = 'shipTo.state']">
              <state><xsl:value-of select="normalize-space($f[@name = 'shipTo.state'])"/></state>
            </xsl:if>
            <xsl:if test="$f[@name = 'shipTo.postalCode']">
              <postalCode><xsl:value-of select="normalize-space($f[@name = 'shipTo.postalCode'])"/></postalCode>
            </xsl:if>
            <xsl:if test="$cc != '' or $cn != ''">
              <country>
                <xsl:attribute name="code">
                  <xsl:choose>
                    <xsl:when test="$cc != ''">
                      <xsl:value-of select="translate($cc, $lower, $upper)"/>
                    </xsl:when>
                    <xsl:when test="string-length($cn) = 2">
                      <xsl:value-of select="translate($cn, $lower, $upper)"/>
                    </xsl:when>
                  </xsl:choose>
                </xsl:attribute>
                <xsl:choose>
                  <xsl:when test="$cn != ''"><xsl:value-of select="$cn"/></xsl:when>
                  <xsl:otherwise><xsl:value-of select="translate($cc, $lower, $upper)"/></xsl:otherwise>
                </xsl:choose>
              </country>
            </xsl:if>
          </party>
        </xsl:if>
        <xsl:if test="$f[@name = 'billTo.name']">
          <party role="billTo">
            <name><xsl:value-of select="normalize-space($f[@name = 'billTo.name'])"/></name>
          </party>
        </xsl:if>
      </parties>

      <contacts/>
      <comments>
        <xsl:for-each select="$f[@name = 'comment']">
          <comment><xsl:value-of select="normalize-space(.)"/></comment>
        </xsl:for-each>
      </comments>
      <extrinsics>
        <xsl:for-each select="$f[starts-with(@name, 'extrinsic.')]">
          <extrinsic name="{substring-after(@name, 'extrinsic.')}">
            <xsl:value-of select="."/>
          </extrinsic>
        </xsl:for-each>
      </extrinsics>

      <lines>
        <xsl:apply-templates select="line"/>
      </lines>
    </order>
  </xsl:template>

  <xsl:template match="line">
    <xsl:variable name="f" select="field"/>
    <line>
      <xsl:attribute name="number">
        <xsl:choose>
          <xsl:when test="normalize-space($f[@name = 'line.number']) != ''">
            <xsl:value-of select="normalize-space($f[@name = 'line.number'])"/>
          </xsl:when>
          <xsl:otherwise><xsl:value-of select="position()"/></xsl:otherwise>
        </xsl:choose>
      </xsl:attribute>
      <quantity><xsl:value-of select="normalize-space($f[@name = 'line.quantity'])"/></quantity>
      <unitOfMeasure><xsl:value-of select="normalize-space($f[@name = 'line.unitOfMeasure'])"/></unitOfMeasure>
      <supplierPartID><xsl:value-of select="normalize-space($f[@name = 'line.supplierPartID'])"/></supplierPartID>
      <xsl:if test="normalize-space($f[@name = 'line.buyerPartID']) != ''">
        <buyerPartID><xsl:value-of select="normalize-space($f[@name = 'line.buyerPartID'])"/></buyerPartID>
      </xsl:if>
      <!-- line breaks inside a description are kept, other runs of blanks collapsed -->
      <description>
        <xsl:call-template name="lines-normalised">
          <xsl:with-param name="s" select="string($f[@name = 'line.description'])"/>
        </xsl:call-template>
      </description>
      <unitPrice><xsl:value-of select="normalize-space($f[@name = 'line.unitPrice'])"/></unitPrice>
      <xsl:if test="normalize-space($f[@name = 'line.requestedDeliveryDate']) != ''">
        <requestedDeliveryDate>
          <xsl:value-of select="normalize-space($f[@name = 'line.requestedDeliveryDate'])"/>
        </requestedDeliveryDate>
      </xsl:if>
      <xsl:variable name="ext" select="$f[starts-with(@name, 'line.extrinsic.')]"/>
      <xsl:if test="$ext">
        <extrinsics>
          <xsl:for-each select="$ext">
            <extrinsic name="{substring-after(@name, 'line.extrinsic.')}">
              <xsl:value-of select="."/>
            </extrinsic>
          </xsl:for-each>
        </extrinsics>
      </xsl:if>
    </line>
  </xsl:template>

  <!-- ================================================================ -->
  <!-- string helpers                                                   -->
  <!-- ================================================================ -->

  <xsl:template name="or-default">
    <xsl:param name="v"/>
    <xsl:param name="d"/>
    <xsl:choose>
      <xsl:when test="normalize-space($v) != ''">
        <xsl:value-of select="normalize-space($v)"/>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$d"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- each line whitespace-normalised, empty lines dropped, joined by LF -->
  <xsl:template name="lines-normalised">
    <xsl:param name="s"/>
    <xsl:param name="sep" select="''"/>
    <xsl:variable name="head">
      <xsl:choose>
        <xsl:when test="contains($s, '&#10;')">
          <xsl:value-of select="normalize-space(substring-before($s, '&#10;'))"/>
        </xsl:when>
        <xsl:otherwise><xsl:value-of select="normalize-space($s)"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:if test="$head != ''">
      <xsl:value-of select="concat($sep, $head)"/>
    </xsl:if>
    <xsl:if test="contains($s, '&#10;')">
      <xsl:call-template name="lines-normalised">
        <xsl:with-param name="s" select="substring-after($s, '&#10;')"/>
        <xsl:with-param name="sep">
          <xsl:if test="$head != '' or $sep != ''"><xsl:text>&#10;</xsl:text></xsl:if>
        </xsl:with-param>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

</xsl:stylesheet>
