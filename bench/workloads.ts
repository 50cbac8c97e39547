/**
 * The benchmark's workloads: an org for the simulator, the input items every route gets, and
 * what a correct run leaves behind.
 */
import { fewestIdsStrings } from '../test/reference/fewestIdsStrings';
import { generatedOrg, type OrgFixture } from '../test/simulator/fixture';

export type WorkloadKey = 'A' | 'B' | 'C';

export const WORKLOAD_KEYS: WorkloadKey[] = ['A', 'B', 'C'];

/** One input item of every route: a territory and the users to take out of it. */
export interface InputItem {
	territoryId: string;
	userIds: string[];
}

export interface Workload {
	key: WorkloadKey;
	title: string;
	org: OrgFixture;
	items: InputItem[];
	/** Territory ID to the users asked out of it, across all items. */
	asked: Map<string, Set<string>>;
	/** The territory nobody asks about; it also holds some asked users, who must stay in it. */
	controlTerritoryId: string;
	askedUserCount: number;
	/** The fewest `ids` requests Zoho allows: per territory, the 500-character strings needed. */
	minRequests: number;
}

interface Shape {
	territories: number;
	usersPerTerritory: number;
	/** 'territory': one item per territory; 'user': one item per user, territories interleaved. */
	itemPer: 'territory' | 'user';
}

const SHAPES: Record<'full' | 'quick', Record<WorkloadKey, Shape>> = {
	full: {
		A: { territories: 1, usersPerTerritory: 2000, itemPer: 'territory' },
		B: { territories: 20, usersPerTerritory: 100, itemPer: 'user' },
		C: { territories: 200, usersPerTerritory: 10, itemPer: 'territory' },
	},
	quick: {
		A: { territories: 1, usersPerTerritory: 100, itemPer: 'territory' },
		B: { territories: 4, usersPerTerritory: 25, itemPer: 'user' },
		C: { territories: 20, usersPerTerritory: 5, itemPer: 'territory' },
	},
};

/** How many asked users the control territory also lists as members. */
const CONTROL_OVERLAP = 50;

function titleOf(shape: Shape): string {
	const items =
		shape.itemPer === 'user'
			? `${shape.territories * shape.usersPerTerritory} items (one user each)`
			: shape.territories === 1
				? 'one item'
				: `${shape.territories} items (one per territory)`;
	return `${shape.territories} territor${shape.territories === 1 ? 'y' : 'ies'} × ${
		shape.usersPerTerritory
	} users, ${items}`;
}

/** Round-robin over the lists, so that each list's entries are spread over the result. */
function interleaved<T>(lists: T[][]): T[] {
	const longest = Math.max(0, ...lists.map((list) => list.length));
	const result: T[] = [];
	for (let position = 0; position < longest; position++) {
		for (const list of lists) {
			if (position < list.length) result.push(list[position]);
		}
	}
	return result;
}

export function buildWorkload(key: WorkloadKey, quick: boolean): Workload {
	const shape = SHAPES[quick ? 'quick' : 'full'][key];
	// One territory more than asked: the control, the last one generated.
	const org = generatedOrg({
		territories: shape.territories + 1,
		usersPerTerritory: shape.usersPerTerritory,
	});
	const askedTerritories = org.territories.slice(0, shape.territories);
	const control = org.territories[org.territories.length - 1];

	const overlap = askedTerritories
		.flatMap((territory) => territory.members.slice(0, 1))
		.concat(askedTerritories[0].members.slice(1))
		.slice(0, CONTROL_OVERLAP);
	control.members = [...control.members, ...overlap];

	let items: InputItem[];
	if (shape.itemPer === 'territory') {
		items = askedTerritories.map((territory) => ({
			territoryId: territory.id,
			userIds: [...territory.members],
		}));
	} else {
		items = interleaved(
			askedTerritories.map((territory) =>
				territory.members.map((userId) => ({ territoryId: territory.id, userIds: [userId] })),
			),
		);
	}

	const asked = new Map<string, Set<string>>();
	for (const item of items) {
		const users = asked.get(item.territoryId) ?? new Set<string>();
		item.userIds.forEach((id) => users.add(id));
		asked.set(item.territoryId, users);
	}
	const askedUserCount = [...asked.values()].reduce((sum, users) => sum + users.size, 0);
	const minRequests = [...asked.values()].reduce(
		(sum, users) => sum + fewestIdsStrings([...users]),
		0,
	);

	return {
		key,
		title: titleOf(shape),
		org,
		items,
		asked,
		controlTerritoryId: control.id,
		askedUserCount,
		minRequests,
	};
}

/** Each territory's members after a correct run: the original members less the asked ones. */
export function expectedMembers(workload: Workload): Map<string, string[]> {
	return new Map(
		workload.org.territories.map((territory) => {
			const asked = workload.asked.get(territory.id) ?? new Set<string>();
			return [territory.id, territory.members.filter((id) => !asked.has(id))];
		}),
	);
}
