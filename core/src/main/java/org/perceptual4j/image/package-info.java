/**
 * Reading, writing and resizing images in the library's image format: an ND4J {@code FLOAT}
 * {@code INDArray} of shape {@code [1, 3, H, W]} (NCHW), RGB, values in [0, 1].
 *
 * <ul>
 *   <li>{@link org.perceptual4j.image.ImageReader} decodes PNG, JPEG, BMP and GIF files, checks a pixel
 *       limit from the image header before decoding, composites alpha over a background colour and
 *       applies the EXIF orientation.</li>
 *   <li>{@link org.perceptual4j.image.ImageWriter} encodes PNG or JPEG and never leaves a half-written
 *       output file.</li>
 *   <li>{@link org.perceptual4j.image.GifReader} decodes animated GIFs frame by frame, composited as
 *       browsers show them; {@link org.perceptual4j.image.GifWriter} encodes them (frame delays, loop
 *       count, per-frame palettes).</li>
 *   <li>{@link org.perceptual4j.image.FrameSequence} lists and reads numbered video frames
 *       ({@code frame_0001.png}, ...) of a directory, one at a time.</li>
 *   <li>{@link org.perceptual4j.image.Images} has static shortcuts with default settings, conversion to
 *       and from {@link java.awt.image.BufferedImage}, and Lanczos-3 resizing on the float data.</li>
 * </ul>
 */
package org.perceptual4j.image;
