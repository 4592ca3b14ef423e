/** The client devices simulated participants join from: what a real client would report on join. */
import { hash32, type Random } from './random.js';

export type DeviceType = 'desktop' | 'web' | 'ios' | 'android' | 'room';
export type NetworkType = 'wifi' | '4g' | 'ethernet';

export interface SimDevice {
  type: DeviceType;
  client_version: string;
  network_type: NetworkType;
  os: string;
  /** the client's LAN address */
  ip: string;
  protocol: 'udp' | 'tcp';
  microphone: string;
  speaker: string;
  camera: string;
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

/** Microphone, speaker and camera names a client reports; most people leave the system's choice. */
const PERIPHERALS: Record<DeviceType, { microphone: [string, number][]; speaker: [string, number][]; camera: [string, number][] }> = {
  desktop: {
    microphone: [['与系统一致', 60], ['MacBook Pro Microphone', 15], ['Jabra Evolve2 65', 15], ['Logitech H390', 10]],
    speaker: [['与系统一致', 65], ['MacBook Pro Speakers', 15], ['Jabra Evolve2 65', 12], ['Logitech H390', 8]],
    camera: [['Integrated Camera', 50], ['FaceTime HD Camera', 30], ['Logitech C920', 20]],
  },
  web: {
    microphone: [['与系统一致', 85], ['Default - Microphone Array', 15]],
    speaker: [['与系统一致', 90], ['Default - Speakers', 10]],
    camera: [['Integrated Camera', 70], ['Logitech C920', 30]],
  },
  ios: { microphone: [['iPhone 麦克风', 80], ['AirPods Pro', 20]], speaker: [['iPhone 扬声器', 70], ['AirPods Pro', 30]], camera: [['前置摄像头', 100]] },
  android: { microphone: [['手机麦克风', 85], ['蓝牙耳机', 15]], speaker: [['手机扬声器', 75], ['蓝牙耳机', 25]], camera: [['前置摄像头', 100]] },
  room: { microphone: [['Rooms 阵列麦克风', 100]], speaker: [['Rooms 扬声器', 100]], camera: [['Rooms 摄像头', 100]] },
};

export function randomDevice(rng: Random, type: DeviceType = rng.weighted(TYPES)): SimDevice {
  const client_version = rng.weighted(VERSIONS[type]);
  const network_type = rng.weighted(NETWORKS[type]);
  const os = rng.weighted(OS[type]);
  const gear = PERIPHERALS[type];
  return {
    type,
    client_version,
    network_type,
    os,
    ip: network_type === '4g' ? `10.${rng.int(64, 127)}.${rng.int(0, 255)}.${rng.int(1, 254)}` : `192.168.${rng.int(0, 31)}.${rng.int(2, 254)}`,
    // Strict networks force media over TCP now and then.
    protocol: rng.chance(0.08) ? 'tcp' : 'udp',
    microphone: rng.weighted(gear.microphone),
    speaker: rng.weighted(gear.speaker),
    camera: rng.weighted(gear.camera),
  };
}

/** A user's stable public address, from a documentation range (RFC 5737): what the server sees them come from. */
export function publicIpOf(userId: string): string {
  return `198.51.100.${(hash32('public-ip', userId) % 254) + 1}`;
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
