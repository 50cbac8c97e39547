/**
 * Runs tasks at most `max` at a time. The first task runs alone, so that an expired token is
 * renewed once before others use it; then the allowance halves whenever Zoho throttles and
 * grows back by one after as many successes in a row as the allowance.
 */
export class AdaptiveLimiter {
	private allowance = 1;

	private warmedUp = false;

	private active = 0;

	private successesSinceChange = 0;

	private readonly waiting: Array<() => void> = [];

	constructor(readonly max: number) {}

	throttled(): void {
		this.allowance = Math.max(1, Math.floor(this.allowance / 2));
		this.successesSinceChange = 0;
	}

	succeeded(): void {
		if (!this.warmedUp) {
			this.warmedUp = true;
			this.allowance = this.max;
		} else if (this.allowance < this.max && ++this.successesSinceChange >= this.allowance) {
			this.allowance++;
			this.successesSinceChange = 0;
		}
		this.wakeWaiting();
	}

	async run<T>(task: () => Promise<T>): Promise<T> {
		while (this.active >= this.allowance) {
			await new Promise<void>((resolve) => this.waiting.push(resolve));
		}
		this.active++;
		try {
			return await task();
		} finally {
			this.active--;
			this.wakeWaiting();
		}
	}

	/** Wakes as many waiting tasks as there are free slots; each re-checks when it resumes. */
	private wakeWaiting(): void {
		const free = this.allowance - this.active;
		this.waiting.splice(0, Math.max(0, free)).forEach((resolve) => resolve());
	}
}
