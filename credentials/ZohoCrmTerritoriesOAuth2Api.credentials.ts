import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/** Zoho's accounts (OAuth) servers, one per data centre. The API hosts live in the node's transport. */
const ACCOUNTS_SERVERS: Record<string, string> = {
	us: 'https://accounts.zoho.com',
	eu: 'https://accounts.zoho.eu',
	in: 'https://accounts.zoho.in',
	au: 'https://accounts.zoho.com.au',
	jp: 'https://accounts.zoho.jp',
	cn: 'https://accounts.zoho.com.cn',
	ca: 'https://accounts.zohocloud.ca',
	sa: 'https://accounts.zoho.sa',
	uk: 'https://accounts.zoho.uk',
};

/*
 * n8n uses a credential type's own default for hidden fields, whatever was saved, so the
 * OAuth URLs are expressions over the visible data-centre fields.
 */
function accountsUrlExpression(path: string): string {
	const servers = JSON.stringify(ACCOUNTS_SERVERS).replace(/"/g, "'");
	return (
		`={{ ($self["dataCenter"] === 'custom' ? String($self["customAccountsUrl"]).replace(/\\/+$/, '') ` +
		`: ${servers}[$self["dataCenter"]]) + '${path}' }}`
	);
}

export class ZohoCrmTerritoriesOAuth2Api implements ICredentialType {
	name = 'zohoCrmTerritoriesOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Zoho CRM Territories OAuth2 API';

	icon = {
		light: 'file:../icons/zohoCrmTerritories.svg',
		dark: 'file:../icons/zohoCrmTerritories.dark.svg',
	} as const;

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-zoho-crm-territories';

	properties: INodeProperties[] = [
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'authorizationCode',
		},
		{
			displayName: 'Data Centre',
			name: 'dataCenter',
			type: 'options',
			options: [
				{ name: 'Australia (zoho.com.au)', value: 'au' },
				{ name: 'Canada (zohocloud.ca)', value: 'ca' },
				{ name: 'China (zoho.com.cn)', value: 'cn' },
				{ name: 'Custom Host', value: 'custom' },
				{ name: 'Europe (zoho.eu)', value: 'eu' },
				{ name: 'India (zoho.in)', value: 'in' },
				{ name: 'Japan (zoho.jp)', value: 'jp' },
				{ name: 'Saudi Arabia (zoho.sa)', value: 'sa' },
				{ name: 'United Kingdom (zoho.uk)', value: 'uk' },
				{ name: 'United States (zoho.com)', value: 'us' },
			],
			default: 'us',
			description:
				'The Zoho data centre your CRM account lives in: the domain you sign in at (accounts.zoho.eu means Europe)',
		},
		{
			displayName: 'Custom Accounts URL',
			name: 'customAccountsUrl',
			type: 'string',
			default: '',
			placeholder: 'https://accounts.example.com',
			required: true,
			displayOptions: { show: { dataCenter: ['custom'] } },
			description:
				'Base URL of the OAuth server, without /oauth/v2. Use this only for a proxy you run or a test server.',
		},
		{
			displayName: 'Custom API URL',
			name: 'customApiUrl',
			type: 'string',
			default: '',
			placeholder: 'https://crm-proxy.example.com',
			required: true,
			displayOptions: { show: { dataCenter: ['custom'] } },
			hint: 'Your access token is sent to this host. Name only a host you trust, such as your own proxy in front of Zoho.',
			description: 'Base URL that API requests go to, without /crm/v7',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: accountsUrlExpression('/oauth/v2/auth'),
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: accountsUrlExpression('/oauth/v2/token'),
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: 'ZohoCRM.settings.territories.ALL,ZohoCRM.users.READ',
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			// Without access_type=offline Zoho issues no refresh token, and without
			// prompt=consent a second authorization may come back without one.
			default: 'access_type=offline&prompt=consent',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			// Zoho reads client_id and client_secret from the form body of the token request.
			default: 'body',
		},
	];
}
