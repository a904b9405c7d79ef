/*
 * sysinfo: reports what the host gives a program besides files.
 * Usage: sysinfo [env NAME | clock | random N | sleep MS | exit CODE]
 * No argument prints a usage message and exits 1 (the usual convention for a usage error).
 * Exercises environ_get, clock_time_get, random_get (getentropy), poll_oneoff (nanosleep), proc_exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int usage(void) {
  fprintf(stderr, "usage: sysinfo env NAME | clock | random N | sleep MS | exit CODE\n");
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2) return usage();
  const char *cmd = argv[1];
  if (strcmp(cmd, "env") == 0 && argc == 3) {
    const char *value = getenv(argv[2]);
    if (!value) {
      printf("%s is not set\n", argv[2]);
      return 4;
    }
    printf("%s=%s\n", argv[2], value);
    return 0;
  }
  if (strcmp(cmd, "clock") == 0 && argc == 2) {
    struct timespec real, mono;
    if (clock_gettime(CLOCK_REALTIME, &real) != 0 || clock_gettime(CLOCK_MONOTONIC, &mono) != 0) return 5;
    printf("realtime %lld.%09ld\n", (long long)real.tv_sec, real.tv_nsec);
    printf("monotonic-positive %d\n", mono.tv_sec > 0 || mono.tv_nsec > 0);
    return 0;
  }
  if (strcmp(cmd, "random") == 0 && argc == 3) {
    int n = atoi(argv[2]);
    if (n < 1 || n > 256) return usage();
    unsigned char buf[256];
    if (getentropy(buf, (size_t)n) != 0) return 5;
    for (int i = 0; i < n; i++) printf("%02x", buf[i]);
    printf("\n");
    return 0;
  }
  if (strcmp(cmd, "sleep") == 0 && argc == 3) {
    long ms = atol(argv[2]);
    if (ms < 0 || ms > 10000) return usage();
    struct timespec before, after, want = {ms / 1000, (ms % 1000) * 1000000L};
    clock_gettime(CLOCK_MONOTONIC, &before);
    if (nanosleep(&want, NULL) != 0) return 5;
    clock_gettime(CLOCK_MONOTONIC, &after);
    long long slept = (after.tv_sec - before.tv_sec) * 1000000000LL + (after.tv_nsec - before.tv_nsec);
    printf("slept-at-least %d\n", slept >= ms * 1000000LL);
    return 0;
  }
  if (strcmp(cmd, "exit") == 0 && argc == 3) {
    printf("exiting with %d\n", atoi(argv[2]));
    fflush(stdout);
    exit(atoi(argv[2]));
  }
  return usage();
}
