/* lock.c: one-instance locks for cron jobs. */
#include "platform/jobs/lock.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int lock_take(const char *path)
{
	struct flock fl;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_error("could not open lock file %s: %s", path, strerror(errno));
		return -1;
	}
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		int e = errno;
		close(fd);
		if (e == EACCES || e == EAGAIN)
			return -2;
		log_error("could not lock %s: %s", path, strerror(e));
		return -1;
	}
	return fd;
}
