// The services run as separate processes (several per test): one test file at a time,
// with room for a loaded machine.
const preset = require('../jest.preset.js')(__dirname);

module.exports = { ...preset, maxWorkers: 1, testTimeout: 90000 };
