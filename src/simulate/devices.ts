/** The client devices simulated participants join from: what a real client would report on join. */
import type { Random } from './random.js';

export type DeviceType = 'desktop' | 'web' | 'ios' | 'android' | 'room';
export type NetworkType = 'wifi' | '4g' | 'ethernet';

export interface SimDevice {
  type: DeviceType;
  client_version: string;
  network_type: NetworkType;
  os: string;
  [k: string]: unknown;
}

const TYPES: [DeviceType, number][] = [
  ['desktop', 45],
  ['web', 20],
  ['ios', 15],
  ['android', 12],
  ['room', 8],
];

// Most clients run a recent release; a tail lags behind.
const VERSIONS: Record<DeviceType, [string, number][]> = {
  desktop: [['7.21.4', 55], ['7.20.6', 30], ['7.15.2', 15]],
  web: [['7.21.1', 80], ['7.20.3', 20]],
  ios: [['7.21.3', 50], ['7.20.5', 35], ['7.12.0', 15]],
  android: [['7.21.3', 45], ['7.20.5', 35], ['7.11.8', 20]],
  room: [['6.10.2', 70], ['6.8.1', 30]],
};

const OS: Record<DeviceType, [string, number][]> = {
  desktop: [['macOS 14.5', 40], ['Windows 11', 35], ['Windows 10', 20], ['Ubuntu 22.04', 5]],
  web: [['Chrome 126 / Windows', 45], ['Chrome 126 / macOS', 30], ['Edge 125 / Windows', 15], ['Safari 17.5 / macOS', 10]],
  ios: [['iOS 17.5', 60], ['iPadOS 17.5', 15], ['iOS 16.7', 25]],
  android: [['Android 14', 50], ['Android 13', 30], ['HarmonyOS 4.2', 20]],
  room: [['Rooms OS 6', 100]],
};

const NETWORKS: Record<DeviceType, [NetworkType, number][]> = {
  desktop: [['wifi', 60], ['ethernet', 40]],
  web: [['wifi', 70], ['ethernet', 30]],
  ios: [['wifi', 65], ['4g', 35]],
  android: [['wifi', 55], ['4g', 45]],
  room: [['ethernet', 90], ['wifi', 10]],
};

export function randomDevice(rng: Random, type: DeviceType = rng.weighted(TYPES)): SimDevice {
  return { type, client_version: rng.weighted(VERSIONS[type]), network_type: rng.weighted(NETWORKS[type]), os: rng.weighted(OS[type]) };
}

/**
 * The device a user joins one meeting from: usually their own (the same type, OS and version every
 * time, drawn from the user's own stream), sometimes another; the network is the day's.
 */
export function deviceFor(userRng: Random, meetingRng: Random): SimDevice {
  const usual = randomDevice(userRng);
  if (meetingRng.chance(0.2)) return randomDevice(meetingRng);
  return { ...usual, network_type: meetingRng.weighted(NETWORKS[usual.type]) };
}
