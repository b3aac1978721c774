package dev.wharf.http.files;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Every test of {@link StaticFilesIT} again with the cache on, as {@code wharf serve} runs it:
 * small files answered from memory on the loop, validators, ranges, listings, links and hidden
 * names as without it. Each test's files are new, so a test sees the file system as it wrote it.
 */
class StaticFilesCachedIT extends StaticFilesIT {
  @Override
  StaticFiles files(Path root) throws IOException {
    return new StaticFiles(root, StaticFiles.Options.DEFAULTS, StaticFiles.Caching.DEFAULTS);
  }
}
