/**
 * Stylizing animations and video frame by frame with any per-frame stylizer
 * ({@code UnaryOperator<INDArray>}, RGB {@code [1, 3, H, W]} in [0, 1]).
 *
 * <ul>
 *   <li>{@link org.perceptual4j.video.VideoStylizer} runs a stylizer over an animated GIF (keeping frame
 *       delays and loop count) or a directory of numbered frames (keeping file names).</li>
 *   <li>{@link org.perceptual4j.video.FrameStabilizer} reduces frame-to-frame flicker without optical
 *       flow and without ghosting moving content, and measures flicker.</li>
 * </ul>
 *
 * The file formats are in {@link org.perceptual4j.image}: {@link org.perceptual4j.image.GifReader},
 * {@link org.perceptual4j.image.GifWriter}, {@link org.perceptual4j.image.FrameSequence}.
 */
package org.perceptual4j.video;
