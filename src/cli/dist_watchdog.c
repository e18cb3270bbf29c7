#include "cli/dist_watchdog.h"

#include <pthread.h>

#ifdef EL_HAVE_MPI
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <mpi.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/cli.h"
#endif

static pthread_mutex_t write_mu = PTHREAD_MUTEX_INITIALIZER;

void el_watchdog_lock_writes(void) { pthread_mutex_lock(&write_mu); }
void el_watchdog_unlock_writes(void) { pthread_mutex_unlock(&write_mu); }

#ifndef EL_HAVE_MPI
void el_watchdog_start(int rank, int size) {
    (void)rank;
    (void)size;
}
void el_watchdog_disarm(void) {}
#else

enum { POLL_MS = 200, CONNECT_MS = 2000, ADDR_BYTES = 1024, MAX_ACCEPTED = 256 };

static atomic_int armed;
static int my_rank, listen_fd = -1, conn_fd = -1;
static pid_t parent;

/* No stdio here: the main thread may hold stderr's lock. */
static void die(const char *why) {
    if (my_rank == 0) pthread_mutex_lock(&write_mu); /* let a record being written finish; never unlocked */
    char msg[256];
    int n = snprintf(msg, sizeof msg, "entropy-lens: rank %d: %s; stopping without writing more\n", my_rank, why);
    if (n > 0) (void)!write(STDERR_FILENO, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
    _exit(EL_EXIT_FATAL);
}

static void *watch(void *arg) {
    (void)arg;
    int accepted = 0;
    for (;;) {
        /* Rank 0 takes up to MAX_ACCEPTED connections off the queue and then
         * stops looking (no busy loop on EMFILE): a connection still queued
         * is reset when rank 0's process ends just as an accepted one is
         * closed, so the queue (SOMAXCONN) serves the ranks beyond those. */
        const int fd = my_rank != 0 ? conn_fd : accepted < MAX_ACCEPTED ? listen_fd : -1;
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        int r = poll(&pf, fd >= 0 ? 1 : 0, POLL_MS);
        if (!atomic_load(&armed)) return NULL;
        if (r > 0 && my_rank == 0) {
            /* Kept open until this process ends: its close is what tells the
             * other ranks that rank 0 is gone. */
            accepted = accept(listen_fd, NULL, NULL) >= 0 ? accepted + 1 : MAX_ACCEPTED;
        } else if (r > 0) {
            char b;
            ssize_t k = recv(conn_fd, &b, 1, MSG_DONTWAIT);
            if (k == 0 || (k < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK))
                die("rank 0 has stopped (its watchdog connection closed)");
        }
        if (getppid() != parent) die("the MPI launcher (its parent process) has stopped");
    }
}

/* Rank 0: a listening socket on every interface; "PORT HOST ADDR..." in out. */
static void listen_on_all(char *out) {
    out[0] = '\0';
    listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY)};
    socklen_t len = sizeof sa;
    if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof sa) || listen(listen_fd, SOMAXCONN) ||
        getsockname(listen_fd, (struct sockaddr *)&sa, &len)) {
        if (listen_fd >= 0) close(listen_fd);
        listen_fd = -1;
        return;
    }
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    size_t n = (size_t)snprintf(out, ADDR_BYTES, "%u %s", (unsigned)ntohs(sa.sin_port), host);
    struct ifaddrs *ifs = NULL;
    if (getifaddrs(&ifs) == 0)
        for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
            if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
            char ip[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, ip, sizeof ip);
            if (n + strlen(ip) + 2 < ADDR_BYTES) n += (size_t)snprintf(out + n, ADDR_BYTES - n, " %s", ip);
        }
    freeifaddrs(ifs);
}

static int connect_to(const char *ip, unsigned port) {
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1) return -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) return fd;
    struct pollfd pf = {.fd = fd, .events = POLLOUT};
    int err = 0;
    socklen_t el = sizeof err;
    if (errno == EINPROGRESS && poll(&pf, 1, CONNECT_MS) == 1 &&
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0)
        return fd;
    close(fd);
    return -1;
}

/* Other ranks: rank 0's own host by loopback, otherwise each of its addresses. */
static void connect_to_rank0(char *addrs) {
    unsigned port = 0;
    char host[256] = "", mine[256] = "";
    int used = 0;
    if (sscanf(addrs, "%u %255s %n", &port, host, &used) < 2 || port == 0) return;
    gethostname(mine, sizeof mine - 1);
    if (!strcmp(host, mine)) conn_fd = connect_to("127.0.0.1", port);
    for (char *save, *ip = strtok_r(addrs + used, " ", &save); ip && conn_fd < 0; ip = strtok_r(NULL, " ", &save))
        if (strncmp(ip, "127.", 4)) conn_fd = connect_to(ip, port);
    if (conn_fd < 0)
        fprintf(stderr, "entropy-lens: rank %d: warning: cannot reach rank 0 on %s (port %u); if rank 0 dies, "
                        "this rank stops only when its launcher does\n", my_rank, host, port);
}

void el_watchdog_start(int rank, int size) {
    if (size < 2) return;
    my_rank = rank;
    parent = getppid();
    atomic_store(&armed, 1);
    char addrs[ADDR_BYTES] = "";
    if (rank == 0) listen_on_all(addrs);
    MPI_Bcast(addrs, ADDR_BYTES, MPI_CHAR, 0, MPI_COMM_WORLD);
    addrs[ADDR_BYTES - 1] = '\0';
    if (rank != 0) connect_to_rank0(addrs);
    pthread_t t;
    if (pthread_create(&t, NULL, watch, NULL) == 0) pthread_detach(t);
}

void el_watchdog_disarm(void) {
    if (!atomic_load(&armed)) return;
    atomic_store(&armed, 0);
    /* Nobody leaves before everyone is disarmed, or rank 0's normal exit
     * would look like a crash to a rank still on its way out. */
    MPI_Barrier(MPI_COMM_WORLD);
}
#endif
