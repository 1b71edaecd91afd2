/*
 * dec: exact decimal money and quantities. A dec_t is a signed count of
 * 1/10000 units (four decimals), so 12.5 is 125000. Parsing never goes
 * through floating point; more than four decimals, an exponent, a thousands
 * separator or a value past +-900 billion (DEC_MAX) is an error, never
 * rounded. Functions return 0 on success and -1 on error (overflow, bad
 * syntax); dec_parse tells a well-formed number past DEC_MAX apart with
 * DEC_TOO_LARGE, so callers can say it is too large rather than malformed.
 */
#ifndef OG_DEC_H
#define OG_DEC_H

#include <stdint.h>

typedef int64_t dec_t;
#define DEC_SCALE 10000
#define DEC_MAX ((int64_t)900000000000LL * DEC_SCALE)
#define DEC_FMT_MAX 32
/* dec_parse's result for a well-formed decimal larger than DEC_MAX */
#define DEC_TOO_LARGE (-2)
/* DEC_MAX as people read it, for messages */
#define DEC_MAX_TEXT "900000000000 (9 x 10^11)"

/* 0, -1 (not a decimal with at most four decimals) or DEC_TOO_LARGE. */
int dec_parse(const char *s, dec_t *out);
/* Prints with at least min_decimals decimals and no trailing zeros past
 * them: dec_format(125000, 2) is "12.50", dec_format(125000, 0) is "12.5". */
void dec_format(dec_t v, int min_decimals, char out[DEC_FMT_MAX]);
int dec_add(dec_t a, dec_t b, dec_t *out);
int dec_sub(dec_t a, dec_t b, dec_t *out);
/* a * b, rounded half away from zero to four decimals. */
int dec_mul(dec_t a, dec_t b, dec_t *out);
/* a * b computed exactly (up to eight decimals, 128 bits) and rounded once,
 * half away from zero, to the given number of decimals (0..4): money
 * rounded to a currency without a first rounding to four decimals
 * (0.3333 x 0.015 = 0.0049995 is 0.00, not 0.0050 then 0.01). */
int dec_mul_round(dec_t a, dec_t b, int decimals, dec_t *out);
/* a * rate / 100 (rate in percent: 7.7 is 7.7 %), exact and rounded once,
 * half away from zero, to the given number of decimals (0..4). */
int dec_percent(dec_t a, dec_t rate, int decimals, dec_t *out);
/* Rounds half away from zero to the given number of decimals (0..4). */
dec_t dec_round(dec_t v, int decimals);
int dec_cmp(dec_t a, dec_t b);

/* ISO 4217 minor units: 2 unless the code is listed as 0 or 3 (2 for NULL). */
int currency_decimals(const char *code);

#endif
