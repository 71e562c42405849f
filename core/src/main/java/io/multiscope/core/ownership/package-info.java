/**
 * The ownership registry behind patterns 3 and 4: which tenant owns each device, which DPS instance is active for
 * it, its claim code (hashed), and the history of every transfer between owners.
 */
package io.multiscope.core.ownership;
