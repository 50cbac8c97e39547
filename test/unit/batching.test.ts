import { describe, expect, it } from 'vitest';

import { MAX_IDS_PARAM_LENGTH, packIds } from '../../nodes/ZohoCrmTerritories/helpers/batching';
import { fewestIdsStrings, fewestStringsTable } from '../reference/fewestIdsStrings';

function ids(count: number, length: number, start = 0): string[] {
	return Array.from(
		{ length: count },
		(_, index) => `4${String(start + index).padStart(length - 1, '0')}`,
	);
}

/** The fewest strings possible: IDs of lengths a and b cost len + 1 each, in bins of cap + 1. */
function minimumBins(list: string[], maxLength = MAX_IDS_PARAM_LENGTH): number {
	const costs = list.map((id) => id.length + 1).sort((x, y) => y - x);
	// Exhaustive for small inputs: try k bins from the lower bound up.
	const total = costs.reduce((sum, cost) => sum + cost, 0);
	for (let bins = Math.ceil(total / (maxLength + 1)); ; bins++) {
		const free = Array<number>(bins).fill(maxLength + 1);
		const place = (index: number): boolean => {
			if (index === costs.length) return true;
			const tried = new Set<number>();
			for (let bin = 0; bin < bins; bin++) {
				if (free[bin] < costs[index] || tried.has(free[bin])) continue;
				tried.add(free[bin]);
				free[bin] -= costs[index];
				if (place(index + 1)) return true;
				free[bin] += costs[index];
			}
			return false;
		};
		if (place(0)) return bins;
	}
}

describe('packing user IDs into ids strings', () => {
	it('fits 25 IDs of 19 digits in one 500-character string', () => {
		const list = ids(25, 19);
		const packed = packIds(list);
		expect(packed).toHaveLength(1);
		expect(packed[0].join(',')).toHaveLength(499);
	});

	it('accepts a string of exactly 500 characters', () => {
		const packed = packIds(['1'.repeat(250), '2'.repeat(249)]);
		expect(packed).toEqual([['1'.repeat(250), '2'.repeat(249)]]);
		expect(packed[0].join(',')).toHaveLength(500);
	});

	it('starts a new string when one more character would pass 500', () => {
		const packed = packIds(['1'.repeat(250), '2'.repeat(250)]);
		expect(packed).toHaveLength(2);
	});

	it('never builds a string longer than 500 characters', () => {
		const list = [...ids(333, 19), ...ids(211, 18, 500)];
		for (const group of packIds(list)) expect(group.join(',').length).toBeLessThanOrEqual(500);
	});

	it('keeps every ID exactly once', () => {
		const list = [...ids(120, 19), ...ids(77, 18, 900)];
		expect(packIds(list).flat().sort()).toEqual([...list].sort());
	});

	it.each([
		[25, 0],
		[26, 0],
		[0, 26],
		[0, 27],
		[7, 19],
		[8, 18],
		[25, 1],
		[50, 2],
		[30, 30],
		[13, 40],
		[1, 0],
	])('needs the minimum number of requests for %i IDs of 19 digits and %i of 18', (long, short) => {
		const list = [...ids(long, 19), ...ids(short, 18, 5000)];
		const fewest = minimumBins(list);
		expect(packIds(list)).toHaveLength(fewest);
		expect(fewestIdsStrings(list)).toBe(fewest);
	});

	it('packs 8 IDs of 19 digits and 44 of 18 into 2 strings, where first-fit decreasing needs 3', () => {
		// 7 long IDs with 19 short ones fill 500 characters exactly; the rest takes 494.
		const list = [...ids(8, 19), ...ids(44, 18, 5000)];
		const packed = packIds(list);
		expect(packed.map((group) => group.join(',').length).sort()).toEqual([494, 500]);
		expect(packed.flat().sort()).toEqual([...list].sort());
	});

	it('needs the minimum number of requests, in strings of 500 characters at most holding every ID once, for every mix of up to 100 IDs of each length', () => {
		const fewestFor = fewestStringsTable(19, 18, 100, 100);
		const misses: string[] = [];
		for (let long = 0; long <= 100; long++) {
			for (let short = 0; short <= 100; short++) {
				const list = [...ids(long, 19), ...ids(short, 18, 5000)];
				const packed = packIds(list);
				const fewest = fewestFor[long][short];
				if (packed.length !== fewest) {
					misses.push(`${long}+${short}: ${packed.length}, not ${fewest}`);
				}
				if (packed.some((group) => group.join(',').length > 500)) {
					misses.push(`${long}+${short}: too long`);
				}
				if (packed.flat().sort().join() !== [...list].sort().join()) {
					misses.push(`${long}+${short}: IDs lost or repeated`);
				}
			}
		}
		expect(misses).toEqual([]);
	});

	it.each([
		[3, 2, 50],
		[5, 4, 37],
		[2, 1, 20],
		[10, 9, 99],
		[9, 8, 100],
	])(
		'needs the minimum number of strings for IDs of %i and %i characters in strings of %i',
		(longLength, shortLength, maxLength) => {
			const fewestFor = fewestStringsTable(longLength, shortLength, 40, 40, maxLength);
			const misses: string[] = [];
			for (let long = 0; long <= 40; long++) {
				for (let short = 0; short <= 40; short++) {
					// The same ID over and over: the packer takes a list as it is.
					const list = [
						...Array<string>(long).fill('7'.repeat(longLength)),
						...Array<string>(short).fill('3'.repeat(shortLength)),
					];
					const packed = packIds(list, maxLength);
					if (packed.length !== fewestFor[long][short]) {
						misses.push(`${long}+${short}: ${packed.length}, not ${fewestFor[long][short]}`);
					}
					if (packed.some((group) => group.join(',').length > maxLength)) {
						misses.push(`${long}+${short}: too long`);
					}
				}
			}
			expect(misses).toEqual([]);
		},
	);

	it.each([
		[350, 500],
		[1000, 13],
		[13, 1000],
		[777, 777],
	])('needs the minimum number of requests for %i IDs of 19 digits and %i of 18', (long, short) => {
		const list = [...ids(long, 19), ...ids(short, 18, 5000)];
		expect(packIds(list)).toHaveLength(fewestIdsStrings(list));
	});

	it('returns no strings for no IDs', () => {
		expect(packIds([])).toEqual([]);
	});
});
