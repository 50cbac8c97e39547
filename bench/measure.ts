/**
 * What the benchmark reads besides the simulator: the n8n process's peak memory, polled from
 * /proc, and n8n's own timings from the run data `n8n execute` prints.
 */
import { readFile } from 'node:fs/promises';

const FIND_INTERVAL_MS = 10;
const SAMPLE_INTERVAL_MS = 50;

export interface MemoryReading {
	/** The n8n process's VmHWM (peak resident set) at the last poll before it exited, in kB. */
	peakKb: number | null;
	/** How many times /proc/<pid>/status was read. */
	samples: number;
	pid: number | null;
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Reads a `Name:   123 kB` field of /proc/<pid>/status, or undefined once the process is gone. */
async function statusFieldKb(pid: number, field: string): Promise<number | undefined> {
	let text: string;
	try {
		text = await readFile(`/proc/${pid}/status`, 'utf8');
	} catch {
		return undefined;
	}
	const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text);
	return match ? Number(match[1]) : undefined;
}

/** The first child of a process: n8n, below the `timeout` that runs it. 0 while there is none. */
async function firstChild(pid: number): Promise<number> {
	try {
		const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
		return Number(children.trim().split(/\s+/)[0] || 0);
	} catch {
		return 0;
	}
}

/**
 * Polls the peak memory of the n8n process below a `timeout` wrapper. VmHWM only grows, so the
 * last value read before the process exits is its peak up to then, missing at most the last
 * SAMPLE_INTERVAL_MS of its life.
 */
export class PeakMemorySampler {
	private stopped = false;

	private wrapperPid = 0;

	private readonly done: Promise<MemoryReading>;

	constructor(maxMs = 300_000) {
		this.done = this.poll(Date.now() + maxMs);
	}

	/** The `timeout` process that runs n8n. */
	attach(wrapperPid: number): void {
		this.wrapperPid = wrapperPid;
	}

	private async poll(deadline: number): Promise<MemoryReading> {
		let pid = 0;
		while (!this.stopped && pid === 0 && Date.now() < deadline) {
			if (this.wrapperPid !== 0) pid = await firstChild(this.wrapperPid);
			if (pid === 0) await sleep(FIND_INTERVAL_MS);
		}
		let peakKb: number | null = null;
		let samples = 0;
		while (pid !== 0 && Date.now() < deadline) {
			const hwm = await statusFieldKb(pid, 'VmHWM');
			if (hwm === undefined) break;
			peakKb = Math.max(peakKb ?? 0, hwm);
			samples++;
			if (this.stopped) break;
			await sleep(SAMPLE_INTERVAL_MS);
		}
		return { peakKb, samples, pid: pid === 0 ? null : pid };
	}

	async stop(): Promise<MemoryReading> {
		this.stopped = true;
		return await this.done;
	}
}

export interface NodeTiming {
	/** When n8n started the node, epoch ms. */
	startTime: number;
	/** n8n's own executionTime of the node, ms. */
	executionTime: number;
}

export interface RunTimes {
	/** n8n's startedAt to stoppedAt of the execution, ms. */
	executionMs: number | null;
	nodes: Record<string, NodeTiming>;
}

interface PrintedRun {
	startedAt?: string;
	stoppedAt?: string;
	data?: {
		resultData?: {
			runData?: Record<string, Array<{ startTime?: number; executionTime?: number }>>;
		};
	};
}

/** n8n's start and stop times of the run, and each node's, from what `n8n execute` printed. */
export function runTimes(printed: string): RunTimes {
	let run: PrintedRun | undefined;
	for (const line of printed.split('\n')) {
		if (!line.startsWith('{')) continue;
		try {
			const entry = JSON.parse(line) as { message?: unknown };
			if (typeof entry.message === 'string' && entry.message.startsWith('{')) {
				run = JSON.parse(entry.message) as PrintedRun;
				break;
			}
		} catch {
			continue;
		}
	}
	const started = Date.parse(run?.startedAt ?? '');
	const stopped = Date.parse(run?.stoppedAt ?? '');
	const nodes: Record<string, NodeTiming> = {};
	for (const [name, runs] of Object.entries(run?.data?.resultData?.runData ?? {})) {
		const last = runs[runs.length - 1];
		if (last?.startTime !== undefined && last.executionTime !== undefined) {
			nodes[name] = { startTime: last.startTime, executionTime: last.executionTime };
		}
	}
	return {
		executionMs: Number.isNaN(started) || Number.isNaN(stopped) ? null : stopped - started,
		nodes,
	};
}
