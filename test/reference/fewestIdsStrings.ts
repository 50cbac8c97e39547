/**
 * The fewest `ids` strings a list of IDs needs, worked out apart from the node's packer so that
 * tests and the benchmark can hold it to the true minimum. Exact for IDs of one or two lengths.
 */
const MAX_LENGTH = 500;

/**
 * fewest[l][s] for every l ≤ longCount and s ≤ shortCount: the fewest strings for l IDs of
 * `longLength` characters and s of `shortLength`. One string as full as it can be (k long IDs,
 * then as many short ones as still fit), then the fewest for the IDs it leaves.
 */
export function fewestStringsTable(
	longLength: number,
	shortLength: number,
	longCount: number,
	shortCount: number,
	maxLength = MAX_LENGTH,
): number[][] {
	const capacity = maxLength + 1;
	const [longCost, shortCost] = [longLength + 1, shortLength + 1];
	const fills: Array<[number, number]> = [];
	for (let longs = 0; longs * longCost <= capacity; longs++) {
		fills.push([longs, Math.floor((capacity - longs * longCost) / shortCost)]);
	}

	const fewest = Array.from({ length: longCount + 1 }, () => new Array<number>(shortCount + 1));
	for (let l = 0; l <= longCount; l++) {
		for (let s = 0; s <= shortCount; s++) {
			let best = l + s === 0 ? -1 : Infinity;
			for (const [longs, shorts] of fills) {
				if (Math.min(longs, l) + Math.min(shorts, s) === 0) continue;
				best = Math.min(best, fewest[Math.max(0, l - longs)][Math.max(0, s - shorts)]);
			}
			fewest[l][s] = best + 1;
		}
	}
	return fewest;
}

export function fewestIdsStrings(ids: string[], maxLength = MAX_LENGTH): number {
	const lengths = [...new Set(ids.map((id) => id.length))].sort((a, b) => b - a);
	if (lengths.length > 2) throw new RangeError('Only IDs of one or two lengths are worked out');
	if (lengths.length < 2) {
		return ids.length === 0
			? 0
			: Math.ceil(ids.length / Math.floor((maxLength + 1) / (lengths[0] + 1)));
	}
	const longCount = ids.filter((id) => id.length === lengths[0]).length;
	const shortCount = ids.length - longCount;
	return fewestStringsTable(lengths[0], lengths[1], longCount, shortCount, maxLength)[longCount][
		shortCount
	];
}
