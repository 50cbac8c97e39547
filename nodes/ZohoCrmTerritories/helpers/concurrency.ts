/**
 * Runs tasks at most `max` at a time, halving the allowance whenever Zoho throttles and
 * growing it back by one after each run of successes as long as the allowance.
 */
export class AdaptiveLimiter {
	private allowance: number;

	private active = 0;

	private successesSinceChange = 0;

	private readonly waiting: Array<() => void> = [];

	peakActive = 0;

	constructor(readonly max: number) {
		this.allowance = max;
	}

	get currentAllowance(): number {
		return this.allowance;
	}

	throttled(): void {
		this.allowance = Math.max(1, Math.floor(this.allowance / 2));
		this.successesSinceChange = 0;
	}

	succeeded(): void {
		if (this.allowance >= this.max) return;
		this.successesSinceChange++;
		if (this.successesSinceChange >= this.allowance) {
			this.allowance++;
			this.successesSinceChange = 0;
			this.wakeNext();
		}
	}

	async run<T>(task: () => Promise<T>): Promise<T> {
		while (this.active >= this.allowance) {
			await new Promise<void>((resolve) => this.waiting.push(resolve));
		}
		this.active++;
		this.peakActive = Math.max(this.peakActive, this.active);
		try {
			return await task();
		} finally {
			this.active--;
			this.wakeNext();
		}
	}

	private wakeNext(): void {
		while (this.waiting.length > 0 && this.active < this.allowance) {
			const resolve = this.waiting.shift();
			resolve?.();
			// The woken task takes its slot when it resumes; wake one at a time.
			break;
		}
	}
}
