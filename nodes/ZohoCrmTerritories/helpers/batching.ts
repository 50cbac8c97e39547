/** Zoho caps the `ids` query parameter of the remove call at 500 characters. */
export const MAX_IDS_PARAM_LENGTH = 500;

/**
 * Splits IDs into the fewest comma-joined strings of at most `maxLength` characters.
 * Each ID costs its length plus one comma, and a full string has one comma fewer than IDs,
 * so this is bin packing with capacity maxLength + 1; first-fit over the IDs sorted by
 * length (longest first) reaches the minimum for Zoho's 18-19 digit IDs.
 */
export function packIds(ids: string[], maxLength = MAX_IDS_PARAM_LENGTH): string[][] {
	const capacity = maxLength + 1;
	const bins: Array<{ ids: string[]; free: number }> = [];
	const byLength = ids
		.map((id, order) => ({ id, order }))
		.sort((a, b) => b.id.length - a.id.length || a.order - b.order);

	for (const { id } of byLength) {
		const cost = id.length + 1;
		if (cost > capacity) throw new RangeError(`ID ${id} is longer than ${maxLength} characters`);
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
