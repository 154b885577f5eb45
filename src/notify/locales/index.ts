/** The built-in wording, one file per locale (see template/types.ts for the shape). */
import type { LocaleCatalog } from '../template/types.js';
import { de } from './de.js';
import { en } from './en.js';
import { es } from './es.js';
import { fr } from './fr.js';
import { it } from './it.js';
import { ja } from './ja.js';
import { ko } from './ko.js';
import { nl } from './nl.js';
import { pl } from './pl.js';
import { pt } from './pt.js';
import { ru } from './ru.js';
import { zh } from './zh.js';

export const CATALOGS: Readonly<Record<string, LocaleCatalog>> = { en, fr, de, ja, pt, es, it, ko, nl, pl, ru, zh };
