// Alternating load runs against several HTTP targets, each served by its own process, with the
// figures the proxy tables need: req/s, latency, failures, and the serving process's CPU per request.
import { combine, load } from './load.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * CPU time the serving process spent per answered request, read over the middle of a run (from
 * 0.5 s after its start to 0.5 s before its end), away from the start-up and from the connections
 * dropped at the end. Unlike req/s it depends little on what else had the cores.
 */
const cpuWindow = (server, seconds) => async (answered) => {
  await sleep(500);
  const [cpu0, n0] = [await server.call('cpu'), answered()];
  await sleep(seconds * 1000 - 1000);
  const [cpu1, n1] = [await server.call('cpu'), answered()];
  return (cpu1 - cpu0) / (n1 - n0);
};

/**
 * One bounded run against `target` ({ name, url, headers?, server, restart? }). A target whose
 * process dies during the run is restarted (when it can be) and the crash is recorded on it: a crash
 * under load is a finding, and the runs it served still count.
 */
export async function measureTarget(target, { seconds, connections, log }) {
  const result = await load(
    { url: target.url, headers: target.headers, connections, duration: seconds },
    { whileRunning: seconds >= 2 ? cpuWindow(target.server, seconds) : undefined },
  );
  result.cpuPerRequest = result.measuredWhileRunning ?? Number.NaN;
  // The run ended by dropping connections with requests in flight: a crash on those aborted
  // requests gets a moment to show.
  await sleep(250);
  const death = target.server.died();
  if (death) {
    const cause =
      death.stderr
        .split('\n')
        .find((line) => /Error/.test(line))
        ?.trim() ?? `exit code ${death.code}`;
    log(`${target.name} died under load (${cause})${target.restart ? '; restarting it' : ''}`);
    (target.crashes ??= []).push(cause);
    if (!target.restart) throw new Error(`${target.name} died under load: ${cause}`);
    await target.restart();
  }
  return result;
}

/**
 * Warms each target up, then runs them in turn, round after round; returns the combined figures by
 * key, with each round's own figures in `runs` (round i of every target ran back to back).
 */
export async function measureAlternately(targets, { seconds, rounds, warmupSeconds, connections, log }) {
  for (const target of targets) {
    log(`warming up ${target.name}`);
    const warm = await measureTarget(target, { seconds: warmupSeconds, connections, log });
    if (warm.ok === 0) throw new Error(`${target.name} answered no request successfully`);
  }
  const runs = new Map(targets.map((target) => [target.key, []]));
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) {
      log(`round ${round + 1}: ${target.name}`);
      runs.get(target.key).push(await measureTarget(target, { seconds, connections, log }));
    }
  }
  return new Map(
    [...runs].map(([key, list]) => {
      const cpu = list.map((r) => r.cpuPerRequest).filter(Number.isFinite);
      return [
        key,
        { ...combine(list), cpuPerRequest: cpu.length === 0 ? Number.NaN : cpu.reduce((sum, ms) => sum + ms, 0) / cpu.length, runs: list },
      ];
    }),
  );
}

export const formatCpu = (ms) => (Number.isFinite(ms) ? `${(ms * 1000).toFixed(0)} µs` : 'n/a');

/**
 * `target` against `reference`, round by round: the ratios of req/s, CPU per request and p99 in each
 * round (both ran back to back, so a busy moment of the machine hits both), and their means.
 */
export function ratiosAgainst(target, reference) {
  const pairs = target.runs.map((run, round) => [run, reference.runs[round]]).filter(([, other]) => other !== undefined);
  const of = (pick) => pairs.map(([run, other]) => pick(run) / pick(other)).filter(Number.isFinite);
  const summary = (values) => ({
    mean: values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length,
    min: Math.min(...values),
    max: Math.max(...values),
  });
  return {
    requestsPerSecond: summary(of((run) => run.requestsPerSecond)),
    cpuPerRequest: summary(of((run) => run.cpuPerRequest)),
    p99: summary(of((run) => run.p99)),
  };
}

/** "0.81 (0.78–0.84)", or the mean alone when there was one round. */
export const formatRatioRange = ({ mean, min, max }) =>
  !Number.isFinite(mean) ? 'n/a' : min === max ? mean.toFixed(2) : `${mean.toFixed(2)} (${min.toFixed(2)}–${max.toFixed(2)})`;
