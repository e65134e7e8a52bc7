/* lock.h: one-instance locks for cron jobs (fcntl F_SETLK on a lock file). */
#ifndef GW_LOCK_H
#define GW_LOCK_H

/* Take an exclusive, non-blocking lock on `path` (created 0644 if missing).
 * Returns the open descriptor (keep it open to hold the lock; close to
 * release), -2 when another process holds it, or -1 on error (logged). */
int lock_take(const char *path);

#endif
