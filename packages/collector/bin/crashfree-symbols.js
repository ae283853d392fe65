#!/usr/bin/env node
import('../dist/esm/symbols-cli.js');
