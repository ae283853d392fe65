#!/usr/bin/env node
import('../dist/esm/doctor-cli.js');
