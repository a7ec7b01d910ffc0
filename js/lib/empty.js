// What a package.json "browser" field maps to false: an empty module, as browserify and webpack
// give.
module.exports = {};
