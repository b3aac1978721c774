/**
 * Ready-made handlers for serving a directory: {@link dev.wharf.http.files.StaticFiles} (with
 * ranges, conditional requests and directory listings), {@link dev.wharf.http.files.Uploads} (PUT,
 * POST and DELETE into a directory), and the filters {@link dev.wharf.http.files.Cors} and {@link
 * dev.wharf.http.files.BasicAuth}. {@code SafePaths} and {@code FileNames} keep every path inside
 * the served directory.
 *
 * <p>Threads: the handlers are immutable and may serve every connection at once. {@code
 * StaticFiles} and {@code Uploads} touch the file system, so register them as blocking routes: they
 * then run on the request's virtual thread. {@code Cors} and {@code BasicAuth} do not block and run
 * wherever the route they wrap runs.
 */
package dev.wharf.http.files;
