/* Neutral Gearman load generator for the server benchmark, built on libgearman (the same client code
 * drives gmsup and gearmand). Modes: fg (foreground submits + latency), bg (background submits), work
 * (echo workers, optionally stopping after N jobs = drain). Prints one JSON line. Compiled at bench time.
 * fg with --jobs 0 runs for --seconds (a timed round); --workers M also runs M echo worker threads in
 * this process (clients and workers in one program, as an outside tester would write it). */
#include <libgearman/gearman.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  const char *mode, *host, *fn;
  int port, threads, batch, workers;
  long jobs;          /* fg/bg: total to submit; work: stop after this many (0 = until signal/deadline) */
  size_t size_bytes;  /* payload size for fg/bg */
  double max_seconds; /* hard bound for every mode */
} opts_t;

typedef struct {
  int index;
  long done, errors;
  double *latencies_ms;
  long capacity; /* of latencies_ms */
} thread_t;

static opts_t o = {"", "127.0.0.1", "bench_echo", 4730, 1, 1, 0, 0, 100, 60.0};
static volatile sig_atomic_t stop_flag = 0;
static char *payload;
static double start_s, deadline_s;
static long work_done = 0;     /* work mode: jobs completed by all threads (under lock) */
static long work_target = 0;   /* work mode: stop after this many (o.jobs); 0 = until signal/deadline */
static volatile sig_atomic_t workers_stop = 0; /* fg --workers: the clients are done */
static double work_last_s = 0; /* work mode: time the target count was reached */
static pthread_mutex_t work_lock = PTHREAD_MUTEX_INITIALIZER;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_signal(int sig) { (void)sig; stop_flag = 1; }

static long share(int index) { /* this thread's part of o.jobs, remainder spread over the first threads */
  long base = o.jobs / o.threads, rest = o.jobs % o.threads;
  return base + (index < rest ? 1 : 0);
}

static void record_latency(thread_t *t, double ms) { /* grows the array in timed rounds (--jobs 0) */
  if (t->done >= t->capacity) {
    t->capacity = t->capacity > 0 ? t->capacity * 2 : 65536;
    t->latencies_ms = realloc(t->latencies_ms, sizeof(double) * (size_t)t->capacity);
    if (t->latencies_ms == NULL) { fprintf(stderr, "loadgen: out of memory\n"); exit(2); }
  }
  t->latencies_ms[t->done++] = ms;
}

static gearman_client_st *new_client(void) {
  gearman_client_st *c = gearman_client_create(NULL);
  if (c == NULL || gearman_client_add_server(c, o.host, (in_port_t)o.port) != GEARMAN_SUCCESS) {
    fprintf(stderr, "loadgen: cannot create client\n");
    exit(2);
  }
  gearman_client_set_timeout(c, 20000); /* ms: one stuck job must not hang the run forever */
  return c;
}

static void *fg_thread(void *arg) {
  thread_t *t = arg;
  gearman_client_st *c = new_client();
  long want = o.jobs > 0 ? share(t->index) : -1; /* -1: until the deadline */
  for (long i = 0; (want < 0 || i < want) && !stop_flag && now_s() < deadline_s; i++) {
    gearman_return_t rc;
    size_t result_bytes = 0;
    double t0 = now_s();
    void *result = gearman_client_do(c, o.fn, NULL, payload, o.size_bytes, &result_bytes, &rc);
    double t1 = now_s();
    if (rc == GEARMAN_SUCCESS && result_bytes == o.size_bytes) {
      record_latency(t, (t1 - t0) * 1000.0);
    } else {
      t->errors++;
      if (t->errors == 1) fprintf(stderr, "loadgen fg: %s (result %zu bytes)\n", gearman_client_error(c), result_bytes);
    }
    free(result);
  }
  gearman_client_free(c);
  return NULL;
}

static void *bg_thread(void *arg) {
  thread_t *t = arg;
  gearman_client_st *c = new_client();
  long want = share(t->index);
  while (t->done + t->errors < want && !stop_flag && now_s() < deadline_s) {
    if (o.batch <= 1) { /* one round trip per job: the rate a plain client sees */
      char handle[GEARMAN_JOB_HANDLE_SIZE];
      gearman_return_t rc = gearman_client_do_background(c, o.fn, NULL, payload, o.size_bytes, handle);
      if (rc == GEARMAN_SUCCESS) t->done++;
      else if (++t->errors == 1) fprintf(stderr, "loadgen bg: %s\n", gearman_client_error(c));
      continue;
    }
    long n = want - t->done - t->errors; /* pipelined: queue a batch of tasks, then run them together */
    if (n > o.batch) n = o.batch;
    for (long i = 0; i < n; i++) {
      gearman_return_t rc;
      if (gearman_client_add_task_background(c, NULL, NULL, o.fn, NULL, payload, o.size_bytes, &rc) == NULL) {
        fprintf(stderr, "loadgen bg: add_task: %s\n", gearman_client_error(c));
        exit(3);
      }
    }
    gearman_return_t rc = gearman_client_run_tasks(c);
    if (rc == GEARMAN_SUCCESS) t->done += n;
    else { t->errors += n; fprintf(stderr, "loadgen bg: run_tasks: %s\n", gearman_client_error(c)); }
    gearman_client_task_free_all(c);
  }
  gearman_client_free(c);
  return NULL;
}

static void *echo_job(gearman_job_st *job, void *context, size_t *result_bytes, gearman_return_t *rc) {
  (void)context;
  size_t n = gearman_job_workload_size(job);
  void *copy = malloc(n > 0 ? n : 1); /* libgearman frees the result */
  if (n > 0) memcpy(copy, gearman_job_workload(job), n);
  *result_bytes = n;
  *rc = GEARMAN_SUCCESS;
  pthread_mutex_lock(&work_lock);
  work_done++;
  if (work_target > 0 && work_done == work_target) { work_last_s = now_s(); stop_flag = 1; }
  pthread_mutex_unlock(&work_lock);
  return copy;
}

static void *work_thread(void *arg) {
  thread_t *t = arg;
  gearman_worker_st *w = gearman_worker_create(NULL);
  if (w == NULL || gearman_worker_add_server(w, o.host, (in_port_t)o.port) != GEARMAN_SUCCESS ||
      gearman_worker_add_function(w, o.fn, 0, echo_job, NULL) != GEARMAN_SUCCESS) {
    fprintf(stderr, "loadgen: cannot create worker\n");
    exit(2);
  }
  gearman_worker_set_timeout(w, 100); /* ms: wake up to notice the stop flag and the deadline */
  /* In-process workers (fg --workers) outlive the deadline: clients still wait for their last jobs. */
  double until_s = o.workers > 0 && !strcmp(o.mode, "fg") ? deadline_s + 30.0 : deadline_s;
  while (!stop_flag && !workers_stop && now_s() < until_s) {
    gearman_return_t rc = gearman_worker_work(w);
    if (rc == GEARMAN_SUCCESS) t->done++;
    else if (rc != GEARMAN_TIMEOUT && rc != GEARMAN_NO_JOBS && rc != GEARMAN_IO_WAIT && !stop_flag) {
      if (++t->errors == 1) fprintf(stderr, "loadgen work: %s\n", gearman_worker_error(w));
      if (t->errors > 1000) break; /* server gone: stop instead of spinning */
    }
  }
  gearman_worker_free(w);
  return NULL;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double pct(const double *sorted, long n, double p) {
  if (n == 0) return -1;
  long i = (long)(p * (double)(n - 1) + 0.5);
  return sorted[i];
}

static void parse_args(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: loadgen fg|bg|work [--host H] [--port P] [--fn F] [--threads N] [--jobs N] [--size BYTES] [--batch N] [--seconds S] [--workers M]\n"); exit(64); }
  o.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const char *k = argv[i], *v = argv[i + 1];
    if (!strcmp(k, "--host")) o.host = v;
    else if (!strcmp(k, "--port")) o.port = atoi(v);
    else if (!strcmp(k, "--fn")) o.fn = v;
    else if (!strcmp(k, "--threads")) o.threads = atoi(v);
    else if (!strcmp(k, "--jobs")) o.jobs = atol(v);
    else if (!strcmp(k, "--size")) o.size_bytes = (size_t)atol(v);
    else if (!strcmp(k, "--batch")) o.batch = atoi(v);
    else if (!strcmp(k, "--seconds")) o.max_seconds = atof(v);
    else if (!strcmp(k, "--workers")) o.workers = atoi(v);
    else { fprintf(stderr, "loadgen: unknown option %s\n", k); exit(64); }
  }
  if (o.threads < 1 || o.threads > 1024 || o.workers < 0 || o.workers > 1024 || o.max_seconds <= 0) { fprintf(stderr, "loadgen: bad options\n"); exit(64); }
}

int main(int argc, char **argv) {
  parse_args(argc, argv);
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  signal(SIGPIPE, SIG_IGN);
  payload = malloc(o.size_bytes > 0 ? o.size_bytes : 1);
  memset(payload, 'x', o.size_bytes);
  void *(*body)(void *) = !strcmp(o.mode, "fg") ? fg_thread : !strcmp(o.mode, "bg") ? bg_thread
                        : !strcmp(o.mode, "work") ? work_thread : NULL;
  if (body == NULL) { fprintf(stderr, "loadgen: unknown mode %s\n", o.mode); return 64; }

  if (body == work_thread) work_target = o.jobs;
  int extra = body == fg_thread ? o.workers : 0; /* in-process echo workers */
  thread_t *ts = calloc((size_t)(o.threads + extra), sizeof(thread_t));
  pthread_t *ids = calloc((size_t)(o.threads + extra), sizeof(pthread_t));
  for (int i = 0; i < o.threads; i++) {
    ts[i].index = i;
    if (body == fg_thread && o.jobs > 0) {
      ts[i].capacity = share(i) + 1;
      ts[i].latencies_ms = malloc(sizeof(double) * (size_t)ts[i].capacity);
    }
  }
  start_s = now_s();
  deadline_s = start_s + o.max_seconds;
  for (int i = 0; i < extra; i++) pthread_create(&ids[o.threads + i], NULL, work_thread, &ts[o.threads + i]);
  for (int i = 0; i < o.threads; i++) pthread_create(&ids[i], NULL, body, &ts[i]);
  for (int i = 0; i < o.threads; i++) pthread_join(ids[i], NULL);
  double end_s = (body == work_thread && work_last_s > 0) ? work_last_s : now_s();
  workers_stop = 1;
  for (int i = 0; i < extra; i++) pthread_join(ids[o.threads + i], NULL);

  long done = 0, errors = 0;
  for (int i = 0; i < o.threads; i++) { done += ts[i].done; errors += ts[i].errors; }
  double seconds = end_s - start_s;
  printf("{\"mode\":\"%s\",\"jobs\":%ld,\"errors\":%ld,\"seconds\":%.6f,\"rate\":%.1f", o.mode, done, errors, seconds,
         seconds > 0 ? (double)done / seconds : 0.0);
  if (body == fg_thread) {
    double *all = malloc(sizeof(double) * (size_t)(done + 1));
    long n = 0;
    for (int i = 0; i < o.threads; i++) for (long j = 0; j < ts[i].done; j++) all[n++] = ts[i].latencies_ms[j];
    qsort(all, (size_t)n, sizeof(double), cmp_double);
    printf(",\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f", pct(all, n, 0.50), pct(all, n, 0.99), n ? all[n - 1] : -1.0);
  }
  printf(",\"timed_out\":%s}\n", o.jobs > 0 && end_s >= deadline_s ? "true" : "false");
  return errors > 0 ? 1 : 0;
}
