// Parse Terraform files with HashiCorp's HCL parser (npm @cdktf/hcl2json)
// and print one JSON object: file path -> parsed JSON, or {"error": ...}.
//
// usage: node hcl2json.js FILE...
'use strict';

const fs = require('fs');
const { parse } = require('@cdktf/hcl2json');

(async () => {
  const out = {};
  for (const file of process.argv.slice(2)) {
    try {
      out[file] = await parse(file, fs.readFileSync(file, 'utf8'));
    } catch (e) {
      out[file] = { error: String(e && e.message ? e.message : e) };
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
})();
