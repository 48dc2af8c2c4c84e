// Writes docs/settings.md from the settings table (src/config-table*.ts), through the build in dist/.
import { writeFileSync } from 'node:fs';
import { settingsMarkdown } from '../dist/src/config-doc.js';

writeFileSync(new URL('../docs/settings.md', import.meta.url), settingsMarkdown());
