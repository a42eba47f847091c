// Prints the folder of C headers that belongs to the Node release the project pins (the `node` devDependency
// installs its binary package, node-<platform>-<arch>, with include/node inside). `npm install` passes it to
// node-gyp as --nodedir, so the addon builds against the Node it runs on and never downloads headers, whatever
// Node, headers or npmrc the machine has.
const path = require('node:path');

const pinnedNode = path.dirname(require.resolve('node/package.json'));
const binaryPackage = `node-${process.platform}-${process.arch}/package.json`;
console.log(path.dirname(require.resolve(binaryPackage, { paths: [pinnedNode] })));
