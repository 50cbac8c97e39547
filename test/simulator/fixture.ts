/**
 * Seed data for the Zoho simulator. Field names follow Zoho's JSON where the API shows them;
 * `manager`, `reporting_to` and `members` hold IDs that the simulator expands into objects.
 */

export type UserStatus = 'active' | 'disabled';

export interface NamedRef {
	id: string;
	name: string;
}

export interface OrgUser {
	id: string;
	first_name: string;
	last_name: string;
	full_name: string;
	email: string;
	status: UserStatus;
	/** Whether the user accepted the invitation; drives the Confirmed/NotConfirmed user types. */
	confirm: boolean;
	role: NamedRef;
	profile: NamedRef;
}

export interface OrgTerritory {
	id: string;
	name: string;
	description: string | null;
	permission_type: 'read_write' | 'read_only';
	/** User ID of the manager; the manager counts towards the 100-user limit. */
	manager: string | null;
	/** ID of the parent territory; null for the root. */
	reporting_to: string | null;
	/** Member user IDs, in the order Zoho lists them. */
	members: string[];
}

export interface OrgFixture {
	users: OrgUser[];
	territories: OrgTerritory[];
}

export const ADMINISTRATOR_PROFILE: NamedRef = { id: '4150868000000026011', name: 'Administrator' };
export const STANDARD_PROFILE: NamedRef = { id: '4150868000000026014', name: 'Standard' };

const ROLES = {
	chiefExecutive: { id: '4150868000000026005', name: 'Chief Executive' },
	manager: { id: '4150868000000026007', name: 'Manager' },
	salesRep: { id: '4150868000000026009', name: 'Sales Representative' },
} satisfies Record<string, NamedRef>;

interface SeedPerson {
	id: string;
	first: string;
	last: string;
	role: keyof typeof ROLES;
	status?: UserStatus;
	confirm?: boolean;
}

/*
 * Every ID is odd and above Number.MAX_SAFE_INTEGER, so an ID that passes through a JSON
 * number comes out different. The 18-digit ones catch code that assumes a fixed length.
 */
const SEED_PEOPLE: SeedPerson[] = [
	{ id: '4150868000000225013', first: 'Amara', last: 'Okafor', role: 'chiefExecutive' },
	{ id: '4150868000000225027', first: 'Bruno', last: 'Keller', role: 'manager' },
	{ id: '4150868000000225041', first: 'Chen', last: 'Wei', role: 'manager' },
	{ id: '4150868000000225055', first: 'Dalia', last: 'Haddad', role: 'manager' },
	{ id: '4150868000000225069', first: 'Emil', last: 'Lindqvist', role: 'manager' },
	{ id: '4150868000000225083', first: 'Farah', last: 'Siddiqui', role: 'salesRep' },
	{ id: '4150868000000225097', first: 'Gustavo', last: 'Pereira', role: 'salesRep' },
	{ id: '4150868000000225111', first: 'Hana', last: 'Sato', role: 'salesRep' },
	{ id: '4150868000000225125', first: 'Ivan', last: 'Petrov', role: 'salesRep' },
	{ id: '4150868000000225139', first: 'Julia', last: 'Nowak', role: 'salesRep' },
	{ id: '4150868000000225153', first: 'Kwame', last: 'Mensah', role: 'salesRep' },
	{ id: '4150868000000225167', first: 'Lucía', last: 'Fernández', role: 'salesRep' },
	{ id: '4150868000000225181', first: 'Mateo', last: 'Rossi', role: 'salesRep' },
	{
		id: '4150868000000225195',
		first: 'Nadia',
		last: 'Benali',
		role: 'salesRep',
		status: 'disabled',
	},
	{ id: '4150868000000225209', first: 'Oscar', last: 'Dubois', role: 'salesRep' },
	{ id: '4150868000000225223', first: 'Priya', last: 'Raman', role: 'salesRep' },
	{ id: '4150868000000225237', first: 'Quinn', last: 'Murphy', role: 'salesRep' },
	{ id: '4150868000000225251', first: 'Rania', last: 'Aziz', role: 'salesRep', status: 'disabled' },
	{ id: '4150868000000225265', first: 'Sven', last: 'Olsen', role: 'salesRep' },
	{ id: '4150868000000225279', first: 'Tomás', last: 'Silva', role: 'salesRep' },
	{ id: '4150868000000225293', first: 'Uma', last: 'Krishnan', role: 'salesRep' },
	{ id: '4150868000000225307', first: 'Victor', last: 'Hugo', role: 'salesRep', confirm: false },
	{ id: '4150868000000225321', first: 'Wanjiru', last: 'Kamau', role: 'salesRep' },
	{ id: '4150868000000225335', first: 'Xavier', last: 'Moreau', role: 'salesRep' },
	{
		id: '4150868000000225349',
		first: 'Yuki',
		last: 'Tanaka',
		role: 'salesRep',
		status: 'disabled',
	},
	{ id: '415086800000022537', first: 'Zofia', last: 'Wójcik', role: 'salesRep' },
	{ id: '415086800000022539', first: 'Aiko', last: 'Mori', role: 'salesRep' },
	{ id: '415086800000022541', first: 'Bilal', last: 'Chaudhry', role: 'salesRep' },
	{ id: '415086800000022543', first: 'Carmen', last: 'Ortiz', role: 'salesRep' },
	{ id: '415086800000022545', first: 'Dmitri', last: 'Volkov', role: 'salesRep' },
];

function seedUser(person: SeedPerson): OrgUser {
	return {
		id: person.id,
		first_name: person.first,
		last_name: person.last,
		full_name: `${person.first} ${person.last}`,
		email: `${asciiHandle(person.first)}.${asciiHandle(person.last)}@example.com`,
		status: person.status ?? 'active',
		confirm: person.confirm ?? true,
		role: { ...ROLES[person.role] },
		profile: { ...(person.role === 'chiefExecutive' ? ADMINISTRATOR_PROFILE : STANDARD_PROFILE) },
	};
}

function asciiHandle(name: string): string {
	return name
		.normalize('NFD')
		.replace(/[^A-Za-z]/g, '')
		.toLowerCase();
}

function ids(...positions: number[]): string[] {
	return positions.map((position) => SEED_PEOPLE[position].id);
}

/**
 * A small org: a root territory with a two-level hierarchy below it, 30 users (three disabled,
 * one unconfirmed, five with 18-digit IDs), territories of 0 to 12 members, some users in
 * several territories and some in none.
 */
export function defaultOrg(): OrgFixture {
	return {
		users: SEED_PEOPLE.map(seedUser),
		territories: [
			{
				id: '4150868000000301001',
				name: 'Global',
				description: 'Root territory of the organisation',
				permission_type: 'read_write',
				manager: SEED_PEOPLE[0].id,
				reporting_to: null,
				members: ids(0, 1, 2),
			},
			{
				id: '4150868000000301015',
				name: 'North America',
				description: 'United States and Canada',
				permission_type: 'read_write',
				manager: SEED_PEOPLE[1].id,
				reporting_to: '4150868000000301001',
				members: ids(1, 5, 6, 7, 8, 9, 10, 11, 12, 13, 25, 26),
			},
			{
				id: '4150868000000301029',
				name: 'US West',
				description: null,
				permission_type: 'read_write',
				manager: SEED_PEOPLE[3].id,
				reporting_to: '4150868000000301015',
				members: ids(5, 6, 14, 15, 27),
			},
			{
				id: '4150868000000301043',
				name: 'US East',
				description: 'East coast accounts',
				permission_type: 'read_only',
				manager: null,
				reporting_to: '4150868000000301015',
				members: ids(7, 16, 17),
			},
			{
				id: '4150868000000301057',
				name: 'EMEA',
				description: 'Europe, Middle East and Africa',
				permission_type: 'read_write',
				manager: SEED_PEOPLE[2].id,
				reporting_to: '4150868000000301001',
				members: ids(2, 18, 19, 20, 21, 22, 23, 28),
			},
			{
				id: '4150868000000301071',
				name: 'APAC',
				description: 'Asia Pacific, not staffed yet',
				permission_type: 'read_write',
				manager: SEED_PEOPLE[4].id,
				reporting_to: '4150868000000301001',
				members: [],
			},
		],
	};
}

export interface GeneratedOrgOptions {
	territories: number;
	usersPerTerritory: number;
	/** Users that belong to no territory, for add-user load tests. Default 0. */
	spareUsers?: number;
}

/** A 19-digit odd ID: a fixed prefix, a two-digit kind and a 10-digit counter. */
function generatedId(kind: '11' | '22', counter: number): string {
	return `5725767${kind}${String(counter * 2 + 1).padStart(10, '0')}`;
}

/**
 * A large deterministic org for load tests: the first territory is the root, territory n
 * reports to territory floor((n - 1) / 4). Each territory has its own `usersPerTerritory`
 * members, the first of whom is its manager; no user is in two territories.
 */
export function generatedOrg(options: GeneratedOrgOptions): OrgFixture {
	const { territories: territoryCount, usersPerTerritory, spareUsers = 0 } = options;
	if (territoryCount < 1 || usersPerTerritory < 0 || spareUsers < 0) {
		throw new RangeError('generatedOrg needs at least one territory and no negative counts');
	}

	const users: OrgUser[] = [];
	const territories: OrgTerritory[] = [];
	const newUser = (): OrgUser => {
		const number = users.length + 1;
		const user: OrgUser = {
			id: generatedId('11', number),
			first_name: 'User',
			last_name: String(number),
			full_name: `User ${number}`,
			email: `user${number}@example.com`,
			status: 'active',
			confirm: true,
			role: { ...ROLES.salesRep },
			profile: { ...STANDARD_PROFILE },
		};
		users.push(user);
		return user;
	};

	for (let index = 0; index < territoryCount; index++) {
		const members = Array.from({ length: usersPerTerritory }, () => newUser().id);
		territories.push({
			id: generatedId('22', index),
			name: index === 0 ? 'Root' : `Territory ${index}`,
			description: null,
			permission_type: 'read_write',
			manager: members[0] ?? null,
			reporting_to: index === 0 ? null : generatedId('22', Math.floor((index - 1) / 4)),
			members,
		});
	}

	for (let index = 0; index < spareUsers; index++) {
		newUser();
	}
	return { users, territories };
}
