/*
 * exitcodes: the process exit codes ordergate documents (docs/ordergate.1.md).
 * They follow sysexits(3) where one fits, so cron and systemd tell them apart.
 */
#ifndef OG_EXITCODES_H
#define OG_EXITCODES_H

#define EXIT_OK 0        /* everything processed (duplicates count as processed) */
#define EXIT_SOMEFAILED 1 /* the run completed, some documents went to failed/ */
#define EXIT_USAGE 64    /* bad command line */
#define EXIT_NOINPUT 66  /* a named file or key does not exist */
#define EXIT_SOFTWARE 70 /* internal error: a bug, please report */
#define EXIT_TEMPFAIL 75 /* temporary failure (disk full, I/O error, ledger busy): run again */
#define EXIT_CONFIG 78   /* configuration error */
#define EXIT_LOCKED 73   /* another run holds the spool lock */

#endif
