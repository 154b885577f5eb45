/**
 * Registers the heavier extractors (archives, PDF, OOXML) with files.ts. Kept apart so files.ts
 * and the MIME walker do not import them (and their libraries) in a cycle.
 */
import { extractFile, extractors } from './files.js';
import { extractOoxml } from './ooxml.js';
import { extractPdf } from './pdf.js';
import { extractGzip, extractTar } from './tar-gzip.js';
import { extractZip } from './zip.js';

const zip = (f: Parameters<typeof extractFile>[0], c: Parameters<typeof extractFile>[1]): Promise<void> => extractZip(f, c, extractFile);

extractors.zip = zip;
extractors.gzip = (f, c) => extractGzip(f, c, extractFile);
extractors.tar = (f, c) => extractTar(f, c, extractFile);
extractors.pdf = extractPdf;
extractors.ooxml = (f, c) => extractOoxml(f, c, extractFile, zip);
