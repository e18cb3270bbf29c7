/* Under MPI, no rank may outlive the job: a rank whose launcher (mpirun,
 * orted, srun's step daemon) or rank 0 has died stops at once, and rank 0
 * never leaves a record half-written when it stops this way.
 *
 * Every rank runs one small thread (no MPI calls in it) that watches:
 *  - its parent process: when the launcher dies the rank is re-parented
 *    (getppid() changes);
 *  - rank 0: rank 0 listens on a TCP port, the other ranks connect to it and
 *    wait on the connection; the kernel closes it when rank 0 dies, however
 *    it dies (SIGKILL included) and whatever the launcher does about it.
 * A rank that cannot reach rank 0's port (firewalled nodes) keeps only the
 * parent check and says so once on stderr.
 *
 * The watchdog ends the process with _exit(EL_EXIT_FATAL) after a one-line
 * message; rank 0 first takes the write lock, so a record being written is
 * finished and no new one starts. */
#ifndef EL_CLI_DIST_WATCHDOG_H
#define EL_CLI_DIST_WATCHDOG_H

/* Collective (MPI_COMM_WORLD): every rank calls it once after MPI_Init. */
void el_watchdog_start(int rank, int size);
/* Collective: the job is ending normally; rank 0 may now exit without the
 * others taking it for a crash. Call before MPI_Finalize. */
void el_watchdog_disarm(void);
/* Around each write of records on rank 0 (no-ops cost a mutex otherwise). */
void el_watchdog_lock_writes(void);
void el_watchdog_unlock_writes(void);

#endif
