/**
 * How long a test waits, in real time, for what a server, a process or the local platform does on its own.
 * Generous, so that a machine busy with other jobs makes such a test slower, never red; only a test that
 * would never see what it waits for uses all of it, and then fails on what it waited for.
 */
export const REAL_TIME_WAIT_MS = 60_000;

/**
 * Polls `check` (every 25 ms of real time) until it answers something other than `undefined` or `false`,
 * or the wait is up; returns its last answer either way, for the test to assert on.
 */
export async function until<T>(check: () => T | Promise<T>, timeoutMs = REAL_TIME_WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await check();
    if ((answer !== undefined && answer !== false) || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * How long a test lets a program it runs synchronously (spawnSync, execFileSync) take before killing it.
 * vitest cannot time out a test blocked in such a call, so this bounds it, as generously as the waits above.
 */
export const PROGRAM_TIMEOUT_MS = 5 * 60_000;
