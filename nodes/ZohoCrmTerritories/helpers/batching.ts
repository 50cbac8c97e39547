/** Zoho caps the `ids` query parameter of the remove call at 500 characters. */
export const MAX_IDS_PARAM_LENGTH = 500;

/**
 * Splits IDs into the fewest comma-joined strings of at most `maxLength` characters.
 * Each ID costs its length plus one comma, and a full string has one comma fewer than IDs,
 * so this is bin packing with capacity maxLength + 1. IDs of one length, or of two lengths one
 * digit apart (Zoho's are 18 or 19 digits), get the fewest strings possible; other mixes get
 * first-fit decreasing, which can need a string more.
 */
export function packIds(ids: string[], maxLength = MAX_IDS_PARAM_LENGTH): string[][] {
	const capacity = maxLength + 1;
	const tooLong = ids.find((id) => id.length + 1 > capacity);
	if (tooLong !== undefined) {
		throw new RangeError(`ID ${tooLong} is longer than ${maxLength} characters`);
	}

	const firstFit = firstFitDecreasing(ids, capacity);
	const lengths = [...new Set(ids.map((id) => id.length))].sort((a, b) => b - a);
	if (lengths.length !== 2 || lengths[0] !== lengths[1] + 1) return firstFit;

	const longIds = ids.filter((id) => id.length === lengths[0]);
	const shortIds = ids.filter((id) => id.length === lengths[1]);
	const shape = new StringShape(capacity, lengths[1] + 1);
	const total = longIds.length * shape.longCost + shortIds.length * shape.shortCost;
	const fewestPossible = Math.max(
		Math.ceil(total / capacity),
		Math.ceil(longIds.length / shape.mostLongs),
	);
	for (let strings = fewestPossible; strings < firstFit.length; strings++) {
		const spread = shape.spreadLongIds(strings, longIds.length);
		const room = spread.reduce((sum, longs) => sum + shape.shortsBeside(longs), 0);
		if (room >= shortIds.length) return fillStrings(spread, longIds, shortIds, shape);
	}
	return firstFit;
}

/**
 * Strings holding long IDs of cost c + 1 and short ones of cost c. With k long IDs a string
 * holds (capacity - k(c + 1)) / c short ones, rounded down: one short ID fewer per long one,
 * and one more fewer each time k passes `spare` (capacity mod c) by a further multiple of c.
 */
class StringShape {
	readonly longCost: number;

	readonly mostLongs: number;

	private readonly spare: number;

	constructor(
		private readonly capacity: number,
		readonly shortCost: number,
	) {
		this.longCost = shortCost + 1;
		this.mostLongs = Math.floor(capacity / this.longCost);
		this.spare = capacity % shortCost;
	}

	shortsBeside(longs: number): number {
		return Math.floor((this.capacity - longs * this.longCost) / this.shortCost);
	}

	/**
	 * Long IDs per string such that the strings lose the fewest short places. Each string takes
	 * up to `spare` long IDs at no extra loss, then c more for each further short place lost,
	 * and a last, smaller step up to mostLongs; so every string takes its full steps first.
	 */
	spreadLongIds(strings: number, longCount: number): number[] {
		const free = Math.min(this.spare, this.mostLongs);
		const fullSteps = Math.floor((this.mostLongs - free) / this.shortCost);
		const spread = new Array<number>(strings).fill(free);
		let placed = free * strings;
		const raise = (string: number, to: number) => {
			placed += to - spread[string];
			spread[string] = to;
		};
		for (let step = 0; step < fullSteps; step++) {
			for (let string = 0; string < strings && placed < longCount; string++) {
				raise(string, spread[string] + this.shortCost);
			}
		}
		for (let string = 0; string < strings && placed < longCount; string++) {
			raise(string, this.mostLongs);
		}

		// Hand back what overshoots; fewer long IDs in a string never cost it a short place.
		for (let string = strings - 1; string >= 0 && placed > longCount; string--) {
			raise(string, spread[string] - Math.min(spread[string], placed - longCount));
		}
		return spread;
	}
}

function fillStrings(
	spread: number[],
	longIds: string[],
	shortIds: string[],
	shape: StringShape,
): string[][] {
	let nextLong = 0;
	let nextShort = 0;
	const strings = spread.map((longs) => {
		const string = longIds.slice(nextLong, nextLong + longs);
		nextLong += longs;
		const shorts = shape.shortsBeside(longs);
		string.push(...shortIds.slice(nextShort, nextShort + shorts));
		nextShort += shorts;
		return string;
	});
	return strings.filter((string) => string.length > 0);
}

function firstFitDecreasing(ids: string[], capacity: number): string[][] {
	const bins: Array<{ ids: string[]; free: number }> = [];
	const byLength = ids
		.map((id, order) => ({ id, order }))
		.sort((a, b) => b.id.length - a.id.length || a.order - b.order);

	for (const { id } of byLength) {
		const cost = id.length + 1;
		let bin = bins.find((candidate) => candidate.free >= cost);
		if (!bin) {
			bin = { ids: [], free: capacity };
			bins.push(bin);
		}
		bin.ids.push(id);
		bin.free -= cost;
	}
	return bins.map((bin) => bin.ids);
}
