const { src, dest, parallel } = require('gulp');

// Icons live in icons/ and, for any node that ships its own, beside the node.
function copyIcons() {
	return src('icons/**/*.{png,svg}').pipe(dest('dist/icons'));
}

function copyNodeAssets() {
	return src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], {
		base: '.',
		allowEmpty: true,
	}).pipe(dest('dist'));
}

exports['build:icons'] = parallel(copyIcons, copyNodeAssets);
