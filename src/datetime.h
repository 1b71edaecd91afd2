/*
 * datetime: reads the date and time spellings partners really send and
 * writes ISO 8601, keeping the zone the partner wrote (never converting).
 * Accepted: 2021-01-08, 2021-01-08T23:00:06-08:00, ...Z, ...-0500, ...+05,
 * fractions of seconds, a space instead of T, no seconds, no zone,
 * "Mon May 19 18:29:48 +0000 2008" and "Mon, 19 May 2008 18:29:48 +0000".
 */
#ifndef OG_DATETIME_H
#define OG_DATETIME_H

#define DATETIME_MAX 64

enum datetime_kind { DATETIME_INVALID, DATETIME_DATE, DATETIME_ZONED, DATETIME_ASSUMED };

/* Normalises in into out. assume_zone ("+00:00", "-05:00") is used when the
 * value has a time but no zone, and DATETIME_ASSUMED is returned. */
enum datetime_kind datetime_normalize(const char *in, const char *assume_zone,
				      char out[DATETIME_MAX]);
/* 1 if z is a valid zone offset spelling for assume_zone ("+hh:mm", "Z"). */
int datetime_valid_zone(const char *z);

#endif
