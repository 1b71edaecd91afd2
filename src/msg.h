/*
 * msg: the one diagnostics API. Every line about a document starts with the
 * document ID, so `grep ID` tells its whole story. Lines go to stderr, or as
 * one JSON object per line with --log-json. Engine-wide lines use "ordergate".
 */
#ifndef OG_MSG_H
#define OG_MSG_H

#include "util.h"

enum msg_level { MSG_DEBUG, MSG_INFO, MSG_WARN, MSG_ERROR };

void msg_configure(int quiet, int json, int verbose);
void msg_log(enum msg_level lvl, const char *id, const char *fmt, ...) OG_PRINTF(3, 4);

#define msg_info(id, ...) msg_log(MSG_INFO, id, __VA_ARGS__)
#define msg_warn(id, ...) msg_log(MSG_WARN, id, __VA_ARGS__)
#define msg_error(id, ...) msg_log(MSG_ERROR, id, __VA_ARGS__)
#define msg_debug(id, ...) msg_log(MSG_DEBUG, id, __VA_ARGS__)

/* A progress line on stderr, redrawn in place, only when stderr is a
 * terminal and neither --quiet nor --log-json is on. total < 0: unknown. */
void msg_progress(long done, long total, long failed, double seconds);
void msg_progress_end(void);

/* Appends s to b with newlines and other control characters written as
 * \n and \xNN, so text from a document cannot start a line of its own. */
void msg_escape_controls(struct buf *b, const char *s);
/* Appends s to b as a JSON string literal (with the quotes), always valid
 * UTF-8: well-formed UTF-8 is kept as it is, and each byte that is not part
 * of a well-formed UTF-8 character (a Latin-1 file name, a truncated
 * sequence, an overlong form, a surrogate) becomes U+FFFD, one per byte. */
void json_string(struct buf *b, const char *s);
/* Appends "key":"value" (value NULL as ""). */
void json_pair(struct buf *b, const char *key, const char *value);

#endif
