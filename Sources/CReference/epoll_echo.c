// The echo server most programs use today, as the baseline of `uring-bpf bench echo`: one thread, level-triggered
// epoll over the listening socket and blocking connection sockets, one read per readable connection, sends until
// it is all back.
#define _GNU_SOURCE
#include "CReference.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int64_t cref_epoll_echo(int listener, uint32_t connections, uint32_t buffer_size, struct cref_echo_outcome *outcome)
{
	struct epoll_event events[64];
	char *buffer = malloc(buffer_size);
	uint32_t accepted = 0;
	int64_t result = 0;
	int epoll_fd = epoll_create1(EPOLL_CLOEXEC);

	*outcome = (struct cref_echo_outcome){0};
	if (epoll_fd < 0 || !buffer) {
		result = epoll_fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	struct epoll_event listen_event = {.events = EPOLLIN, .data.fd = listener};
	outcome->syscalls++;
	if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listener, &listen_event) != 0) {
		result = -errno;
		goto out;
	}
	while (outcome->closed < connections) {
		outcome->syscalls++;
		int ready = epoll_wait(epoll_fd, events, 64, 10000);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0) {
			result = ready == 0 ? -ETIMEDOUT : -errno;  /* 10 s without an event: a client failed */
			goto out;
		}
		for (int i = 0; i < ready; i++) {
			int fd = events[i].data.fd;
			if (fd == listener) {
				outcome->syscalls++;
				int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
				if (conn < 0)
					continue;
				struct epoll_event conn_event = {.events = EPOLLIN, .data.fd = conn};
				outcome->syscalls++;
				if (++accepted > connections || epoll_ctl(epoll_fd, EPOLL_CTL_ADD, conn, &conn_event) != 0) {
					outcome->syscalls++;
					close(conn);
				}
				continue;
			}
			outcome->syscalls++;
			ssize_t n = read(fd, buffer, buffer_size);
			int failed = n < 0;
			for (ssize_t sent = 0; n > 0 && sent < n;) {
				outcome->syscalls++;
				ssize_t w = send(fd, buffer + sent, n - sent, MSG_NOSIGNAL);
				if (w <= 0) {
					failed = 1;
					break;
				}
				sent += w;
			}
			if (n > 0 && !failed) {
				outcome->bytes += n;
				continue;
			}
			outcome->failed += failed;
			outcome->syscalls++;  /* close also takes it out of the epoll set */
			close(fd);
			outcome->closed++;
		}
	}
out:
	if (epoll_fd >= 0)
		close(epoll_fd);
	free(buffer);
	return result;
}
