/**
 * Download of pretrained weights files into a local cache, with size and MD5 verification, atomic
 * placement and an offline mode.
 *
 * <p>{@link org.perceptual4j.vgg.download.WeightsFile} describes a downloadable file (the Keras VGG16
 * and VGG19 files are provided as constants); {@link org.perceptual4j.vgg.download.WeightsCache}
 * returns a verified local copy, downloading it when needed; every failure is reported as a
 * {@link org.perceptual4j.vgg.download.WeightsUnavailableException} whose message says how to
 * supply the file by hand.
 */
package org.perceptual4j.vgg.download;
