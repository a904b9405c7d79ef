/*
 * fileio: copies a text file inside a preopened directory, upper-casing it, and reports counts.
 * Usage: fileio <input> <output>   (paths inside a preopen, e.g. /data/in.txt /data/out.txt)
 * Exit codes: 0 done, 1 usage error, 2 cannot open the input, 3 cannot write the output.
 * Exercises path_open (read and create), fd_read, fd_write, fd_filestat_get, fd_close.
 */
#include <ctype.h>
#include <stdio.h>
#include <sys/stat.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: fileio <input> <output>\n");
    return 1;
  }
  struct stat st;
  if (stat(argv[1], &st) != 0) {
    perror("fileio: stat input");
    return 2;
  }
  FILE *in = fopen(argv[1], "r");
  if (!in) {
    perror("fileio: open input");
    return 2;
  }
  FILE *out = fopen(argv[2], "w");
  if (!out) {
    perror("fileio: open output");
    fclose(in);
    return 3;
  }
  long bytes = 0, lines = 0;
  int c;
  while ((c = fgetc(in)) != EOF) {
    bytes++;
    if (c == '\n') lines++;
    if (fputc(toupper(c), out) == EOF) {
      perror("fileio: write output");
      return 3;
    }
  }
  fclose(in);
  if (fclose(out) != 0) {
    perror("fileio: close output");
    return 3;
  }
  printf("fileio: %ld bytes, %ld lines (input size %lld)\n", bytes, lines, (long long)st.st_size);
  return 0;
}
