// Writes "passed failed" counts to $JEST_SUMMARY_FILE so .ci/run can print one closing line.
const fs = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.JEST_SUMMARY_FILE;
    if (!file) return;
    const failedSuites = results.numRuntimeErrorTestSuites || 0;
    fs.appendFileSync(file, `${results.numPassedTests} ${results.numFailedTests + failedSuites}\n`);
  }
}

module.exports = SummaryReporter;
